import pytest
import torch

from recunlearn.models import (
    BACKBONES,
    LightGCN,
    build_backbone,
    model_from_payload,
    model_payload,
    normalized_adjacency,
    positive_edges,
)


def dense_lightgcn(model: LightGCN, users, items) -> tuple[torch.Tensor, torch.Tensor]:
    """LightGCN by the dense formula: mean_k (D^-1/2 A D^-1/2)^k E."""
    n = model.n_users + model.n_items
    adjacency = torch.zeros(n, n)
    adjacency[users, items + model.n_users] = 1.0
    adjacency[items + model.n_users, users] = 1.0
    degree = adjacency.sum(1)
    inv = torch.where(degree > 0, degree.pow(-0.5), torch.zeros_like(degree))
    norm = inv[:, None] * adjacency * inv[None, :]
    layer = torch.cat([model.user_embedding, model.item_embedding]).detach()
    total = layer.clone()
    for _ in range(model.n_layers):
        layer = norm @ layer
        total = total + layer
    final = total / (model.n_layers + 1)
    return final[: model.n_users], final[model.n_users :]


@pytest.mark.parametrize("n_layers", [0, 1, 2, 3])
def test_lightgcn_propagation_matches_the_dense_formula(interactions, n_layers):
    model = build_backbone(
        "lightgcn", 24, 18, 8, 0.1, n_layers, interactions, torch.Generator().manual_seed(0)
    )
    users, items = positive_edges(interactions)
    expected_u, expected_i = dense_lightgcn(model, users, items)
    got_u, got_i = model.propagate()
    torch.testing.assert_close(got_u, expected_u, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(got_i, expected_i, rtol=1e-5, atol=1e-6)


def test_isolated_nodes_have_zero_adjacency_rows():
    adjacency = normalized_adjacency(torch.tensor([0]), torch.tensor([0]), 3, 2).to_dense()
    assert adjacency[1].abs().sum() == 0 and adjacency[4].abs().sum() == 0
    assert adjacency[0, 3] == pytest.approx(1.0)


@pytest.mark.parametrize("name", sorted(BACKBONES))
def test_payload_round_trip_preserves_scores(interactions, name):
    model = build_backbone(name, 24, 18, 8, 0.1, 2, interactions, torch.Generator().manual_seed(1))
    restored = model_from_payload(model_payload(model))
    users = torch.arange(24)
    torch.testing.assert_close(restored.all_scores(users), model.all_scores(users))
    assert restored.config() == model.config()


@pytest.mark.parametrize("name", sorted(BACKBONES))
def test_forward_equals_all_scores_entries(interactions, name):
    model = build_backbone(name, 24, 18, 8, 0.1, 1, interactions, torch.Generator().manual_seed(2))
    users, items = torch.tensor([0, 3, 5]), torch.tensor([1, 1, 17])
    torch.testing.assert_close(model(users, items), model.all_scores(users)[torch.arange(3), items])


def test_row_losses_add_l2_on_ego_embeddings(interactions):
    model = build_backbone("mf", 24, 18, 4, 0.5, 0, interactions, torch.Generator().manual_seed(3))
    users, items, labels = torch.tensor([2]), torch.tensor([5]), torch.tensor([1.0])
    plain = model.row_losses(users, items, labels, 0.0)
    with_l2 = model.row_losses(users, items, labels, 0.1)
    penalty = 0.1 * (model.user_embedding[2].pow(2).sum() + model.item_embedding[5].pow(2).sum())
    torch.testing.assert_close(with_l2 - plain, penalty.reshape(1))


def test_same_generator_seed_same_initialisation(interactions):
    a = build_backbone(
        "lightgcn", 24, 18, 8, 0.1, 1, interactions, torch.Generator().manual_seed(5)
    )
    b = build_backbone(
        "lightgcn", 24, 18, 8, 0.1, 1, interactions, torch.Generator().manual_seed(5)
    )
    assert torch.equal(a.user_embedding, b.user_embedding)
