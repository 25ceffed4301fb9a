"""Every family's prepared state survives the catalog's round trip (``weights_only``)."""

from __future__ import annotations

import io

import pytest
import torch

from recunlearn.unlearning import METHODS, PrepareContext, state_from_payload, state_payload

from .test_contract import GROUPS, make_request, scores, small

PREPARED = sorted(name for name, method in METHODS.items() if method.has_preparation())


def through_a_file(payload: dict) -> dict:
    """``payload`` saved and loaded as the catalog's TorchModelDataset does."""
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    buffer.seek(0)
    return torch.load(buffer, map_location="cpu", weights_only=True)


@pytest.mark.parametrize("name", PREPARED)
def test_a_state_loaded_back_is_the_state_and_unlearns_the_same(interactions, name):
    request = make_request(interactions, "mf", forget_users=(4, 7))
    method = small(name)
    state = method.prepare(PrepareContext.of(request, GROUPS))
    again = state_from_payload(through_a_file(state_payload(state)))
    assert type(again) is type(state)
    assert again.config() == state.config() and again.seconds == state.seconds
    tensors = state.named_tensors()
    assert again.named_tensors().keys() == tensors.keys()
    for key, value in again.named_tensors().items():
        assert torch.equal(value, tensors[key]), key
    first, second = method.unlearn(state, request), method.unlearn(again, request)
    assert torch.equal(scores(second.model), scores(first.model))


def test_every_method_with_a_preparation_has_a_typed_state():
    assert {"sisa", "receraser", "csisa", "laser", "ifru", "scif"} <= set(PREPARED)


def test_a_payload_of_unknown_kind_is_refused_by_name():
    with pytest.raises(ValueError, match="prepared state: unknown kind 'shards'"):
        state_from_payload({"config": {"kind": "shards", "seconds": 0.0}, "state_dict": {}})
    with pytest.raises(ValueError, match="unknown kind None"):
        state_from_payload({"config": {"meta": {}, "seconds": 0.0}, "state_dict": {}})


def test_a_method_refuses_another_familys_state(interactions):
    request = make_request(interactions, "mf")
    damping = small("ifru").prepare(PrepareContext.of(request, GROUPS))
    with pytest.raises(ValueError, match="'sisa' unlearns from its prepared ShardedState"):
        small("sisa").unlearn(damping, request)
