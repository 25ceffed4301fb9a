"""Retrain is the oracle every other method is compared with: check it is exact."""

import pandas as pd
import pytest
import torch

from recunlearn.models import BACKBONES, build_backbone
from recunlearn.training import TrainConfig, train_model
from recunlearn.unlearning import METHODS, UnlearningRequest
from recunlearn.unlearning.retrain import Retrain, training_streams

CFG = TrainConfig(embedding_dim=4, init_std=0.1, lr=0.05, batch_size=64, max_epochs=15, patience=5)
SEED = 11


def trained(name: str, rows: pd.DataFrame, valid: pd.DataFrame, seed_key: str = ""):
    init, batches = training_streams(SEED, name, seed_key)
    model = build_backbone(name, 24, 18, CFG, rows, init)
    train_model(model, rows, valid, CFG, batches)
    return model


def request_for(name, interactions, n_forget):
    train = interactions.iloc[::2].reset_index(drop=True).assign(forget=False)
    train.loc[: n_forget - 1, "forget"] = True
    valid = interactions.iloc[1::2].reset_index(drop=True)
    original = trained(name, train, valid)
    return UnlearningRequest(original, train, valid, CFG, SEED)


@pytest.mark.parametrize("name", sorted(BACKBONES))
def test_retrain_equals_training_from_scratch_on_the_retain_set(interactions, name):
    request = request_for(name, interactions, 10)
    outcome = Retrain().unlearn(request)
    scratch = trained(name, request.retain_rows, request.valid_rows)
    for key, value in scratch.state_dict().items():
        assert torch.equal(outcome.model.state_dict()[key], value), key
    assert outcome.log["forget_rows"] == 10


@pytest.mark.parametrize("name", sorted(BACKBONES))
def test_retrain_with_empty_forget_set_reproduces_original(interactions, name):
    request = request_for(name, interactions, 0)
    outcome = Retrain().unlearn(request)
    assert torch.equal(outcome.model.user_embedding, request.original.user_embedding)


def test_retrain_star_differs_only_through_the_seed(interactions):
    request = request_for("mf", interactions, 6)
    star = Retrain({"seed_key": "star"}).unlearn(request).model
    expected = trained("mf", request.retain_rows, request.valid_rows, seed_key="star")
    assert torch.equal(star.user_embedding, expected.user_embedding)
    assert not torch.equal(star.user_embedding, Retrain().unlearn(request).model.user_embedding)


def test_unlearning_does_not_mutate_its_inputs(interactions):
    request = request_for("lightgcn", interactions, 8)
    before_rows = request.train_rows.copy()
    before_state = {k: v.clone() for k, v in request.original.state_dict().items()}
    for method in METHODS.values():
        method().unlearn(request)
    pd.testing.assert_frame_equal(request.train_rows, before_rows)
    for key, value in request.original.state_dict().items():
        assert torch.equal(value, before_state[key])


def test_registry_is_explicit():
    assert METHODS["retrain"] is Retrain
    with pytest.raises(ValueError, match="seeed_key"):
        Retrain({"seeed_key": "x"})
