"""Streams of deletion requests, parametrised over ``METHODS`` by family.

- a stream of one request is the single request the method answers today;
- exact methods: after a stream of three requests (several shards / groups, one group
  twice) the model and the carried state are bit-identical on the CPU to the method
  prepared from scratch on the data left (with the same partition / groups);
- a stream whose requests are all empty leaves every model (and state) unchanged.
The influence methods' drift along a stream is checked on a converged model in
``influence/test_stream_oracles.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from recunlearn.errors import DataValidationError
from recunlearn.models import BACKBONES
from recunlearn.unlearning import METHODS, PrepareContext, UnlearningRequest
from recunlearn.unlearning.stream import unlearn_stream

from .test_contract import GROUPS, make_request, run, scores, small

EXACT = sorted(name for name, method in METHODS.items() if method.family == "exact")
DIFFERS_ON_EMPTY = {"retrain_star"}  # a second retrain with another seed, by design


def supported(names: list[str]) -> list[tuple[str, str]]:
    return [(n, b) for n in names for b in sorted(BACKBONES) if METHODS[n].supports(b)]


def three_requests(interactions) -> np.ndarray:
    """Request 0: every row of user 4 (group 1 of ``GROUPS``); request 1: one row each of
    users 6 and 9 (group 0); request 2: one row of user 10 (group 1 again)."""
    users = interactions["user"].to_numpy()
    index = np.full(len(interactions), -1)
    index[users == 4] = 0
    index[[np.flatnonzero(users == u)[0] for u in (6, 9)]] = 1
    index[np.flatnonzero(users == 10)[0]] = 2
    return index


def prepared(name: str, request: UnlearningRequest):
    method = small(name)
    return method, method.prepare(PrepareContext.of(request, GROUPS))


def assert_same_models(model, other) -> None:
    state, expected = model.state_dict(), other.state_dict()
    assert state.keys() == expected.keys()
    for key, value in expected.items():
        assert torch.equal(state[key], value), key


def assert_same_states(state, other) -> None:
    assert type(state) is type(other)
    drop = ("log",)  # the preparation's times, for people
    assert {k: v for k, v in state.config().items() if k not in drop} == {
        k: v for k, v in other.config().items() if k not in drop
    }
    tensors, expected = state.named_tensors(), other.named_tensors()
    assert tensors.keys() == expected.keys()
    for key, value in expected.items():
        assert torch.equal(tensors[key], value), key


@pytest.mark.parametrize(("name", "backbone"), supported(sorted(METHODS)))
def test_a_stream_of_one_request_is_the_single_request(interactions, name, backbone):
    request = make_request(interactions, backbone, forget_users=(4, 7))
    method, state = prepared(name, request)
    single = method.unlearn(state, request)
    index = np.where(request.train_rows["forget"], 0, -1)
    (streamed,) = unlearn_stream(method, state, request, index, 1)
    assert_same_models(streamed.model, single.model)
    if single.next_state is not None:
        assert_same_states(streamed.next_state, single.next_state)


@pytest.mark.parametrize(("name", "backbone"), supported(EXACT))
def test_exact_methods_after_a_stream_equal_their_from_scratch_oracle(interactions, name, backbone):
    request = make_request(interactions, backbone, forget_users=())
    method, state = prepared(name, request)
    index = three_requests(interactions)
    outcomes = list(unlearn_stream(method, state, request, index, 3))
    removed = np.cumsum(np.bincount(index[index >= 0], minlength=3))  # 8, 10, 11 rows
    assert [o.log["retain_rows"] for o in outcomes] == (len(index) - removed).tolist()
    left = request.train_rows[index < 0].assign(forget=False).reset_index(drop=True)
    scratch = UnlearningRequest(request.original, left, request.valid_rows, request.train_config, 0)
    fresh, oracle = run(name, scratch, method.partition_of(state))
    assert_same_models(outcomes[-1].model, oracle.model)
    assert_same_states(outcomes[-1].next_state, fresh)


@pytest.mark.parametrize(("name", "backbone"), supported(sorted(METHODS)))
def test_a_stream_of_empty_requests_leaves_every_model_unchanged(interactions, name, backbone):
    request = make_request(interactions, backbone, forget_users=())
    method, state = prepared(name, request)
    index = np.full(len(request.train_rows), -1)
    outcomes = list(unlearn_stream(method, state, request, index, 3))
    if name in DIFFERS_ON_EMPTY or state is not None:
        expected = scores(method.unlearn(state, request).model)  # retrained, or prepared
    else:
        expected = scores(request.original)
    for outcome in outcomes:
        assert torch.equal(scores(outcome.model), expected)
        if state is not None:
            assert_same_states(outcome.next_state, state)


def test_a_request_index_that_does_not_fit_d_is_refused_by_name(interactions):
    request = make_request(interactions, "mf", forget_users=())
    method = small("warm_start")
    rows = request.train_rows
    for index, message in (
        (np.zeros(3, dtype=int), "one integer per row of D"),
        (np.full(len(rows), 0.0), "one integer per row of D"),
        (np.full(len(rows), 2), r"values must lie in -1\.\.1"),
    ):
        with pytest.raises(DataValidationError, match=f"stream request index: {message}"):
            next(unlearn_stream(method, None, request, index, 2))
