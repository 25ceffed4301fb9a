"""The contract every registered method keeps, on every backbone it supports.

Parametrised over ``METHODS`` and ``BACKBONES`` (never a hand-kept list of methods):
- an empty request leaves the method's model unchanged (Original for the methods that
  share it; the learned model, with nothing retrained, for exact methods);
- inputs (rows, Original, the prepared state) are not mutated;
- the result stays on the request's device (CPU always, CUDA where present);
- exact methods: prepared on D then unlearned equals the same method prepared from
  scratch on D - D_r (with the same row partition, for sharded methods), bit for bit
  on the CPU;
- exact methods: stacked shards (``stack_shards``: sub-models trained as one stacked
  model) give the prepared state and unlearned model of shards trained one by one, bit
  for bit on the CPU.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch

from recunlearn.errors import ParameterError
from recunlearn.lazy_imports import import_object
from recunlearn.models import BACKBONES, build_backbone
from recunlearn.training import train_backbone
from recunlearn.unlearning import METHOD_SPECS, METHODS, PrepareContext, UnlearningRequest
from recunlearn.unlearning.retrain import training_streams
from recunlearn.unlearning.user_groups import UserGroups

from ..conftest import backbone_config

CONFIG = dict(embedding_dim=4, init_std=0.1, n_layers=1, max_epochs=3, batch_size=64, lr=0.05)
"""The training settings of every backbone (each takes the fields its own type has)."""
# Groups of users by u % 3; the cohesion order visits group 2 first.
GROUPS = dict.fromkeys(("rand", "bkm", "cbkm"), UserGroups(np.arange(24) % 3, (2, 0, 1)))
DIFFERS_ON_EMPTY = {"retrain_star"}  # a second retrain with another seed, by design


def test_small_settings_are_valid_settings_of_each_method():
    for name, method in METHODS.items():
        assert (
            method(method.contract_settings).config.model_dump().items()
            >= dict(method.contract_settings).items()
        ), name


def small(name: str):
    """The method under its small settings (``contract_settings``, on the class)."""
    return METHODS[name](METHODS[name].contract_settings)


@pytest.mark.parametrize("name", sorted(METHOD_SPECS))
def test_the_light_spec_says_what_the_class_does(name):
    """The pipelines and the parameter check read the spec; the run uses the class."""
    spec, method = METHOD_SPECS[name], METHODS[name]
    assert method.name == name
    assert method.config_type is spec.config_type
    assert method.family == spec.family
    assert method.has_preparation() == spec.prepares
    assert method.needs_groups == spec.needs_groups
    assert method.supported_backbones == spec.supported_backbones
    assert METHODS[name] is method  # one class per entry, a variant's too


@pytest.mark.parametrize("name", sorted(METHOD_SPECS))
def test_a_spec_names_its_class_and_a_variant_only_adds_a_label_and_settings(name):
    spec, method = METHOD_SPECS[name], METHODS[name]
    implementation = import_object(spec.implementation)
    if spec.variant_of is None:
        assert method is implementation
        return
    assert issubclass(method, implementation) and method is not implementation
    assert method.label == spec.variant_of.label != implementation.label
    assert dict(method.defaults) == {**implementation.defaults, **spec.variant_of.defaults}


def make_request(
    interactions, backbone, forget_users=(4,), device="cpu", executor=None
) -> UnlearningRequest:
    """D = the checkerboard, D_r = every row of ``forget_users``; Original trained on D."""
    train = interactions.assign(forget=interactions["user"].isin(forget_users))
    init, batches = training_streams(0, backbone)
    config = backbone_config(backbone, **CONFIG)
    model = build_backbone(backbone, 24, 18, config, train, init)
    train_backbone(model, train, train.iloc[:20], config, batches, device)
    request = UnlearningRequest(model, train, train.iloc[:20], config, 0, device)
    return request if executor is None else replace(request, executor=executor)


def run(name: str, request: UnlearningRequest, partition=None):
    METHODS[name].check_backbone(request.original.name)
    method = small(name)
    state = method.prepare(PrepareContext.of(request, GROUPS, partition))
    return state, method.unlearn(state, request)


def scores(model) -> torch.Tensor:
    with torch.no_grad():
        return model.scorer().users(torch.arange(24, device=model.device)).cpu()


@pytest.fixture(params=sorted(METHODS))
def name(request) -> str:
    return request.param


@pytest.fixture(params=sorted(BACKBONES))
def backbone(request, name) -> str:
    if not METHODS[name].supports(request.param):
        pytest.skip(f"{name} refuses {request.param} (see test_unsupported_backbones_are_refused)")
    return request.param


def test_unsupported_backbones_are_refused(name):
    supported = METHODS[name].supported_backbones or frozenset(BACKBONES)
    for other in sorted(set(BACKBONES) - supported):
        with pytest.raises(ValueError, match=f"unlearning.{name}: backbone '{other}'"):
            METHODS[name].check_backbone(other)


def test_the_methods_that_cannot_use_enmf_refuse_it():
    for name in ("ifru", "scif", "laser", "csisa"):
        with pytest.raises(ParameterError, match=rf"unlearning\.{name}: backbone 'enmf'"):
            METHODS[name].check_backbone("enmf")
    for name in ("retrain", "retrain_star", "warm_start", "alteraser_ah", "alteraser_hf"):
        METHODS[name].check_backbone("enmf")


def test_empty_request_leaves_the_model_unchanged(interactions, name, backbone):
    if name in DIFFERS_ON_EMPTY:
        pytest.skip(f"{name} retrains with another seed by design")
    request = make_request(interactions, backbone, forget_users=())
    state, outcome = run(name, request)
    if METHODS[name].has_preparation():
        _, again = run(name, request)
        expected = scores(again.model)
        assert all(v == 0 for k, v in outcome.log.items() if k.endswith("retrained"))
    else:
        expected = scores(request.original)
    assert torch.equal(scores(outcome.model), expected)


def test_inputs_are_not_mutated(interactions, name, backbone):
    request = make_request(interactions, backbone)
    rows = request.train_rows.copy()
    original = {k: v.clone() for k, v in request.original.state_dict().items()}
    method = small(name)
    state = method.prepare(PrepareContext.of(request, GROUPS))
    kept = {k: v.clone() for k, v in state.named_tensors().items()} if state else {}
    method.unlearn(state, request)
    pd.testing.assert_frame_equal(request.train_rows, rows)
    for key, value in request.original.state_dict().items():
        assert torch.equal(value, original[key]), key
    for key, value in kept.items():
        assert torch.equal(state.named_tensors()[key], value), key


def test_result_stays_on_the_request_device(interactions, torch_device, name, backbone):
    request = make_request(interactions, backbone, device=torch_device)
    _, outcome = run(name, request)
    for tensor in (*outcome.model.parameters(), *outcome.model.buffers()):
        assert tensor.device.type == torch.device(torch_device).type
        assert torch.isfinite(tensor.to_dense() if tensor.is_sparse else tensor).all()
    assert outcome.log["seconds"] >= 0


def test_exact_methods_equal_their_from_scratch_oracle(interactions, name, backbone):
    if METHODS[name].family != "exact":
        pytest.skip("approximate methods are checked against Retrain by their own oracles")
    request = make_request(interactions, backbone, forget_users=(4, 7))
    state, outcome = run(name, request)
    retained = request.retain_rows.assign(forget=False)
    scratch = UnlearningRequest(
        request.original, retained, request.valid_rows, request.train_config, 0
    )
    _, oracle = run(name, scratch, small(name).partition_of(state))
    for (key, value), (other_key, other) in zip(
        outcome.model.state_dict().items(), oracle.model.state_dict().items(), strict=True
    ):
        assert key == other_key and torch.equal(value, other), key


def test_exact_methods_give_the_same_models_stacked(interactions, name, backbone):
    if METHODS[name].family != "exact":
        pytest.skip("only exact methods train sub-models through an executor")
    results = []
    for stack in (False, True):
        request = make_request(interactions, backbone, forget_users=(4, 7))
        results.append(run(name, replace(request, stack_shards=stack)))
    (state, outcome), (stacked_state, stacked_outcome) = results
    for key, value in (state.named_tensors() if state else {}).items():
        assert torch.equal(stacked_state.named_tensors()[key], value), key
    assert torch.equal(scores(stacked_outcome.model), scores(outcome.model))
