"""Retrain is the oracle every other method is compared with: check it is exact."""

import pandas as pd
import pytest
import torch

from recunlearn.models import BACKBONES, build_backbone
from recunlearn.training import train_backbone
from recunlearn.unlearning import METHODS, UnlearningRequest
from recunlearn.unlearning.retrain import Retrain, training_streams

from ..conftest import backbone_config

CFG = dict(embedding_dim=4, init_std=0.1, lr=0.05, batch_size=64, max_epochs=15, patience=5)
SEED = 11


def trained(name: str, rows: pd.DataFrame, valid: pd.DataFrame, seed_key: str = ""):
    init, batches = training_streams(SEED, name, seed_key)
    config = backbone_config(name, **CFG)
    model = build_backbone(name, 24, 18, config, rows, init)
    train_backbone(model, rows, valid, config, batches)
    return model


def request_for(name, interactions, n_forget):
    train = interactions.iloc[::2].reset_index(drop=True).assign(forget=False)
    train.loc[: n_forget - 1, "forget"] = True
    valid = interactions.iloc[1::2].reset_index(drop=True)
    original = trained(name, train, valid)
    return UnlearningRequest(original, train, valid, backbone_config(name, **CFG), SEED)


@pytest.mark.parametrize("name", sorted(BACKBONES))
def test_retrain_equals_training_from_scratch_on_the_retain_set(interactions, name):
    request = request_for(name, interactions, 10)
    outcome = Retrain().unlearn(None, request)
    scratch = trained(name, request.retain_rows, request.valid_rows)
    for key, value in scratch.state_dict().items():
        assert torch.equal(outcome.model.state_dict()[key], value), key
    assert outcome.log["forget_rows"] == 10


@pytest.mark.parametrize("name", sorted(BACKBONES))
def test_retrain_with_empty_forget_set_reproduces_original(interactions, name):
    request = request_for(name, interactions, 0)
    outcome = Retrain().unlearn(None, request)
    assert torch.equal(outcome.model.user_embedding, request.original.user_embedding)


def test_retrain_star_starts_from_retrains_initial_tensors(interactions, monkeypatch):
    """AltEraser §5.2.1: same initialisation, another seed for the training process only."""
    from recunlearn.unlearning import retrain as module

    starts = []

    def recording(model, *args, **kwargs):
        starts.append({k: v.detach().clone() for k, v in model.state_dict().items()})
        return train_backbone(model, *args, **kwargs)

    monkeypatch.setattr(module, "train_backbone", recording)
    request = request_for("mf", interactions, 6)
    plain = Retrain().unlearn(None, request).model
    star = Retrain({"seed_key": "star"}).unlearn(None, request).model
    assert starts[0].keys() == starts[1].keys()
    for key in starts[0]:
        assert torch.equal(starts[0][key], starts[1][key]), key
    assert not torch.equal(plain.user_embedding, star.user_embedding)


def test_retrain_star_differs_only_through_the_seed(interactions):
    request = request_for("mf", interactions, 6)
    star = Retrain({"seed_key": "star"}).unlearn(None, request).model
    expected = trained("mf", request.retain_rows, request.valid_rows, seed_key="star")
    assert torch.equal(star.user_embedding, expected.user_embedding)
    assert not torch.equal(
        star.user_embedding, Retrain().unlearn(None, request).model.user_embedding
    )


def test_registry_is_explicit():
    assert METHODS["retrain"] is Retrain
    with pytest.raises(ValueError, match="seeed_key"):
        Retrain({"seeed_key": "x"})
