"""The audit pool: users held out of every split for user-level LiRA."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recunlearn.data.audit_pool import hold_out_users
from recunlearn.errors import ParameterError


def table(users: list[int]) -> pd.DataFrame:
    return pd.DataFrame({"user": users, "item": range(len(users)), "label": 1})


def test_pool_users_leave_every_split_and_their_training_rows_form_the_pool():
    train, valid, test = table([0, 0, 1, 2, 2, 3]), table([0, 1, 2, 3]), table([1, 3, 3])
    (kept_train, kept_valid, kept_test), pool = hold_out_users(
        (train, valid, test), 2, np.random.default_rng(0)
    )
    held = set(pool["user"])
    assert len(held) == 2 and held <= {0, 1, 2, 3}
    for kept, part in ((kept_train, train), (kept_valid, valid), (kept_test, test)):
        assert not held & set(kept["user"])
        assert len(kept) == (~part["user"].isin(held)).sum()  # every other row stays
    assert len(pool) + len(kept_train) == len(train)


def test_no_pool_changes_nothing():
    train = table([0, 1, 2])
    (kept,), pool = hold_out_users((train,), 0, np.random.default_rng(0))
    assert kept.equals(train) and pool.empty


def test_a_pool_that_leaves_no_user_in_d_is_refused_in_one_line():
    with pytest.raises(ParameterError, match=r"^parameter 'audits.user_pool' must be below the 3 "):
        hold_out_users((table([0, 1, 2]),), 3, np.random.default_rng(0))
    hold_out_users((table([0, 1, 2]),), 2, np.random.default_rng(0))  # one user left
