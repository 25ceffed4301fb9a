"""NeuMF against its formula written out by hand (LASER Eq. 2, He et al. 2017)."""

import pytest
import torch

from recunlearn.models import NeuMF, build_backbone
from recunlearn.models import neumf as neumf_module
from recunlearn.models.config import NeuMFConfig, TrainConfig
from recunlearn.predictions import auc, score_rows
from recunlearn.training import train_model

from ..conftest import checkerboard

CONFIG = NeuMFConfig(embedding_dim=6, init_std=0.3, mlp_layers=[5, 4])


def tiny_neumf(interactions, seed=0, config=CONFIG) -> NeuMF:
    return build_backbone(
        "neumf", 24, 18, config, interactions, torch.Generator().manual_seed(seed)
    )


def hand_neumf(model: NeuMF, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
    """h . [alpha_u * beta_i ; relu(W2 relu(W1 [alpha'_u ; beta'_i] + b1) + b2)]."""
    alpha, beta = model.user_embedding[users], model.item_embedding[items]
    gmf = alpha[:, :3] * beta[:, :3]
    x = torch.cat([alpha[:, 3:], beta[:, 3:]], dim=1)
    w1, b1, w2, b2 = model.mlp[0].weight, model.mlp[0].bias, model.mlp[2].weight, model.mlp[2].bias
    hidden = torch.clamp(torch.clamp(x @ w1.T + b1, min=0.0) @ w2.T + b2, min=0.0)
    h = model.output.weight[0]
    return (gmf * h[:3]).sum(1) + (hidden * h[3:]).sum(1)


def test_prediction_is_gmf_plus_mlp_through_the_output_layer(interactions):
    model = tiny_neumf(interactions)
    users, items = torch.tensor([0, 4, 9, 23, 23]), torch.tensor([3, 3, 17, 0, 1])
    with torch.no_grad():
        torch.testing.assert_close(model(users, items), hand_neumf(model, users, items))
    assert model.mlp[0].weight.shape == (5, 6) and model.output.weight.shape == (1, 7)
    assert model.output.bias is None


def test_one_ego_matrix_per_side_holds_both_branches(interactions):
    model = tiny_neumf(interactions, config=CONFIG.model_copy(update={"embedding_dim": 7}))
    assert model.user_embedding.shape == (24, 7) and model.gmf_dim == 3
    assert model.mlp[0].in_features == 2 * 4
    users, items = model.propagate()
    assert users is model.user_embedding and items is model.item_embedding
    assert not model.dot_product_head


def test_users_scorer_bounds_its_memory_and_matches_pairs(interactions, monkeypatch):
    model = tiny_neumf(interactions, seed=1)
    users = torch.tensor([5, 0, 5, 11, 2])
    with torch.no_grad():
        whole = model.scorer().users(users)
        monkeypatch.setattr(neumf_module, "MAX_HIDDEN_ELEMENTS", 2 * 18 * 5)
        sliced = model.scorer().users(users)
        pairs = model(users.repeat_interleave(18), torch.arange(18).repeat(5)).view(5, 18)
    torch.testing.assert_close(sliced, whole)
    torch.testing.assert_close(whole, pairs)
    assert model.scorer().users(torch.tensor([], dtype=torch.long)).shape == (0, 18)


def test_too_small_embeddings_or_no_mlp_are_refused():
    with pytest.raises(ValueError, match="embedding_dim"):
        NeuMF(3, 4, 1, 0.1)
    with pytest.raises(ValueError, match="mlp_layers"):
        NeuMF(3, 4, 4, 0.1, mlp_layers=[])


def test_neumf_learns_the_checkerboard_with_laser_settings():
    """LASER's NeuMF (embedding 16, MLP 64-32, lr 0.001, init 0.01) on a held-out split."""
    data = checkerboard(n_users=60, n_items=40, density=0.5)
    train, valid, test = data.iloc[0::3], data.iloc[1::3], data.iloc[2::3]
    config = TrainConfig(
        embedding_dim=16, init_std=0.01, lr=0.001, batch_size=64, max_epochs=150, patience=10
    )
    model = build_backbone("neumf", 60, 40, config, train, torch.Generator().manual_seed(0))
    train_model(model, train, valid, config, torch.Generator().manual_seed(1))
    assert auc(test["label"].to_numpy(), score_rows(model, test)) > 0.9
