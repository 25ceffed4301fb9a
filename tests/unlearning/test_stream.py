"""Streams of deletion requests, parametrised over ``METHODS`` by family."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from recunlearn.unlearning import METHODS, PrepareContext, UnlearningRequest
from recunlearn.unlearning.stream import unlearn_stream

from .test_contract import CONFIG, GROUPS, make_request, run, small


def three_requests(interactions) -> np.ndarray:
    """Request 0: every row of user 4 (group 1 of ``GROUPS``); request 1: one row each of
    users 6 and 9 (group 0); request 2: one row of user 10 (group 1 again)."""
    users = interactions["user"].to_numpy()
    index = np.full(len(interactions), -1)
    index[users == 4] = 0
    index[[np.flatnonzero(users == u)[0] for u in (6, 9)]] = 1
    index[np.flatnonzero(users == 10)[0]] = 2
    return index


@pytest.mark.parametrize("name", sorted(n for n, m in METHODS.items() if m.family == "exact"))
@pytest.mark.parametrize("backbone", ["mf", "lightgcn"])
def test_exact_methods_after_a_stream_equal_their_from_scratch_oracle(interactions, name, backbone):
    if not METHODS[name].supports(backbone):
        pytest.skip(f"{name} refuses {backbone}")
    request = make_request(interactions, backbone, forget_users=())
    method, index = small(name), three_requests(interactions)
    state = method.prepare(PrepareContext.of(request, GROUPS))
    *_, last = unlearn_stream(method, state, request, index, 3)
    left = request.train_rows[index < 0].assign(forget=False).reset_index(drop=True)
    scratch = UnlearningRequest(request.original, left, request.valid_rows, CONFIG, 0)
    fresh, oracle = run(name, scratch, method.partition_of(state))
    for key, value in oracle.model.state_dict().items():
        assert torch.equal(last.model.state_dict()[key], value), key
    carried = last.next_state.named_tensors()
    assert carried.keys() == fresh.named_tensors().keys()
    for key, value in fresh.named_tensors().items():
        assert torch.equal(carried[key], value), key
