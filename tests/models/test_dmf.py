"""DMF against its formula written out by hand (LASER Eq. 1, Xue et al. 2017)."""

import math

import pytest
import torch
import torch.nn.functional as F

from recunlearn.models import DMF, build_backbone
from recunlearn.models.config import DMFConfig, TrainConfig
from recunlearn.models.dmf import MU, cosine_logit
from recunlearn.predictions import auc, score_rows
from recunlearn.training import train_model

from ..conftest import checkerboard

CONFIG = DMFConfig(embedding_dim=6, init_std=0.2, mlp_layers=[5, 4])


def tiny_dmf(interactions, seed=0, config=CONFIG) -> DMF:
    return build_backbone("dmf", 24, 18, config, interactions, torch.Generator().manual_seed(seed))


def hand_tower(x, layers):
    """relu(W2 relu(W1 x + b1) + b2), weights read from the model's Linear layers."""
    (w1, b1), (w2, b2) = [(layer.weight, layer.bias) for layer in layers[::2]]
    hidden = torch.clamp(x @ w1.T + b1, min=0.0)
    return torch.clamp(hidden @ w2.T + b2, min=0.0)


def test_prediction_is_the_logit_of_the_clipped_cosine_of_the_towers(interactions):
    model = tiny_dmf(interactions)
    users, items = torch.tensor([0, 4, 9, 23]), torch.tensor([3, 3, 17, 0])
    with torch.no_grad():
        p = hand_tower(model.user_embedding[users], model.user_tower)
        q = hand_tower(model.item_embedding[items], model.item_tower)
        assert (p.abs().sum(1) > 0).all() and (q.abs().sum(1) > 0).all()
        cosine = (p * q).sum(1) / (p.pow(2).sum(1).sqrt() * q.pow(2).sum(1).sqrt())
        probability = torch.clamp(cosine, MU, 1 - MU)
        expected = torch.log(probability / (1 - probability))
        torch.testing.assert_close(model(users, items), expected)
        torch.testing.assert_close(torch.sigmoid(model(users, items)), probability)
    assert len(model.user_tower) == 4 and model.user_tower[2].weight.shape == (4, 5)


def test_bce_on_the_logit_is_dmf_bce_on_the_cosine(interactions):
    model = tiny_dmf(interactions, seed=1)
    users, items = torch.tensor([1, 2, 3]), torch.tensor([4, 5, 6])
    labels = torch.tensor([1.0, 0.0, 1.0])
    probability = torch.sigmoid(model(users, items))
    torch.testing.assert_close(
        model.row_losses(users, items, labels, 0.0),
        F.binary_cross_entropy(probability, labels, reduction="none"),
    )


def test_cosine_logit_values_and_clipping():
    edge = math.log((1 - MU) / MU)
    cosines = torch.tensor([0.5, 0.0, -0.3, 1.0, 1.2, 0.8], dtype=torch.float64)
    logits = cosine_logit(cosines)
    torch.testing.assert_close(
        logits, torch.tensor([0.0, -edge, -edge, edge, edge, math.log(4.0)], dtype=torch.float64)
    )


def test_a_zero_tower_output_gives_mu_and_finite_gradients(interactions):
    model = tiny_dmf(interactions, seed=2)
    with torch.no_grad():
        model.user_tower[2].weight.zero_()
        model.user_tower[2].bias.zero_()
    users, items, labels = torch.tensor([0, 1]), torch.tensor([2, 3]), torch.tensor([1.0, 0.0])
    logits = model(users, items)
    torch.testing.assert_close(torch.sigmoid(logits), torch.full((2,), MU))
    model.row_losses(users, items, labels, 0.01).sum().backward()
    for name, parameter in model.named_parameters():
        assert parameter.grad is None or torch.isfinite(parameter.grad).all(), name
    with torch.no_grad():
        assert torch.isfinite(model.scorer().users(torch.arange(24))).all()


def test_no_dot_product_head_and_ego_propagation(interactions):
    model = tiny_dmf(interactions)
    users, items = model.propagate()
    assert users is model.user_embedding and items is model.item_embedding
    assert not model.dot_product_head
    assert model.config()["mlp_layers"] == [5, 4]


def test_an_empty_tower_is_refused():
    with pytest.raises(ValueError, match="mlp_layers"):
        DMF(3, 4, 2, 0.1, mlp_layers=[])


def test_dmf_learns_the_checkerboard_with_laser_settings():
    """LASER's DMF (embedding 16, towers 64-32, lr 0.001, init 0.01) on a held-out split."""
    data = checkerboard(n_users=60, n_items=40, density=0.5)
    train, valid, test = data.iloc[0::3], data.iloc[1::3], data.iloc[2::3]
    config = TrainConfig(
        embedding_dim=16, init_std=0.01, lr=0.001, batch_size=64, max_epochs=100, patience=10
    )
    model = build_backbone("dmf", 60, 40, config, train, torch.Generator().manual_seed(0))
    train_model(model, train, valid, config, torch.Generator().manual_seed(1))
    assert auc(test["label"].to_numpy(), score_rows(model, test)) > 0.9
