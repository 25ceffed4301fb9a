"""A request stream: K disjoint requests of one kind, each from the rows left, fixed by
the seed."""

from __future__ import annotations

import numpy as np
import pytest

from recunlearn.data.request_stream import draw_request_stream
from recunlearn.errors import ParameterError
from recunlearn.parameters import PoisoningConfig


def spec(**fields) -> PoisoningConfig:
    return PoisoningConfig(**fields)


def test_user_wise_requests_take_disjoint_whole_users(interactions):
    request = spec(kind="user_wise", user_count=3)
    table = draw_request_stream(interactions, interactions, request, 4, np.random.default_rng(0))
    assert len(table) == len(interactions) and table["request"].dtype == np.int64
    users = [set(table.loc[table["request"] == k, "user"]) for k in range(4)]
    assert [len(u) for u in users] == [3, 3, 3, 3]
    assert len(set().union(*users)) == 12  # no user in two requests
    for k, chosen in enumerate(users):  # every row of a chosen user, and only its rows
        assert set(table.loc[table["user"].isin(chosen), "request"]) == {k}


def test_the_same_seed_draws_the_same_stream_and_another_seed_another(interactions):
    request = spec(kind="private", n_users=2)
    draw = lambda seed: draw_request_stream(  # noqa: E731
        interactions, interactions, request, 3, np.random.default_rng(seed)
    )
    assert draw(1).equals(draw(1))
    assert not draw(1)["request"].equals(draw(2)["request"])


def test_label_flip_requests_flip_only_their_own_rows(interactions):
    request = spec(kind="label_flip", ratio=0.05)
    table = draw_request_stream(interactions, interactions, request, 3, np.random.default_rng(0))
    flipped = table["label"].to_numpy() != interactions["label"].to_numpy()
    assert np.array_equal(flipped, table["request"].to_numpy() >= 0)
    # 5 % of what is left: round(0.05 * 241), of 229, of 218
    assert np.bincount(table["request"][table["request"] >= 0]).tolist() == [12, 11, 11]


def test_noise_injection_requests_add_their_own_fakes_never_twice(interactions):
    request = spec(kind="noise_injection", n_users=2)
    table = draw_request_stream(interactions, interactions, request, 3, np.random.default_rng(0))
    assert table.iloc[: len(interactions)]["request"].eq(-1).all()  # D's own rows stay
    fakes = table.iloc[len(interactions) :]
    assert sorted(set(fakes["request"])) == [0, 1, 2]
    assert not table.duplicated(["user", "item"]).any()


def test_a_request_that_cannot_be_drawn_from_what_is_left_is_named(interactions):
    request = spec(kind="user_wise", user_count=10)  # 24 users: the third request finds 4
    with pytest.raises(
        ParameterError, match=r"stream request 2 of 3: .*'stream\.request\.user_count"
    ):
        draw_request_stream(interactions, interactions, request, 3, np.random.default_rng(0))
