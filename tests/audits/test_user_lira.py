"""User-level LiRA: users in exactly half of the references, per-user scores, and an
over-fitted model's users found against users it never saw."""

from __future__ import annotations

import numpy as np

from recunlearn.audits.references import train_references
from recunlearn.audits.user_lira import per_user, user_lira_audit, user_memberships
from tests.audits.conftest import CONFIG, RUNNER, SHAPE


def test_every_user_in_exactly_half_of_the_models_with_all_its_rows():
    users = np.array([3, 1, 3, 3, 7, 1])
    member = user_memberships(users, 8, np.random.default_rng(0))
    assert member.shape == (8, 6) and (member.sum(axis=0) == 4).all()
    for user in (1, 3, 7):
        rows = member[:, users == user]
        assert (rows == rows[:, :1]).all()  # a user's rows go together


def test_per_user_is_the_mean_row_score_in_the_order_asked():
    scores = np.array([0.2, 0.4, 1.0, 0.0])
    users = np.array([5, 5, 2, 9])
    assert per_user(scores, users, np.array([2, 5])).tolist() == [1.0, 0.30000000000000004]


def test_users_an_over_fitted_model_saw_are_found_against_users_it_never_saw(pool):
    references = train_references(
        RUNNER,
        SHAPE,
        CONFIG,
        pool,
        user_memberships(pool["user"].to_numpy(), 8, np.random.default_rng(1)),
        seed=0,
        epochs=60,
    )
    seen = np.arange(0, 40, 2)  # the target trains on the even users' rows only
    inside = pool["user"].isin(seen).to_numpy()
    target = train_references(
        RUNNER, SHAPE, CONFIG, pool, np.stack([inside, ~inside]), seed=1, epochs=60
    ).models[0]
    table = user_lira_audit({"target": target}, references, seen, seen + 1).set_index("score")
    assert (table["n_members"] == 20).all() and (table["n_non_members"] == 20).all()
    assert (table["auc"] > 0.9).all(), table
