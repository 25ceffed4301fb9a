import pytest
import torch

from recunlearn.models import LightGCN, build_backbone, normalized_adjacency, positive_edges
from recunlearn.models.config import LightGCNConfig


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
    config = LightGCNConfig(embedding_dim=8, init_std=0.1, n_layers=n_layers)
    model = build_backbone(
        "lightgcn", 24, 18, config, interactions, torch.Generator().manual_seed(0)
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


def test_build_backbone_takes_the_graph_from_the_positive_rows(interactions):
    config = LightGCNConfig(embedding_dim=4, n_layers=2)
    model = build_backbone("lightgcn", 24, 18, config, interactions)
    positives = interactions[interactions["label"] == 1]
    assert model.n_layers == 2 and model.graph_hops == 2
    assert len(model.graph_users) == len(positives)
    assert torch.equal(model.graph_items, torch.as_tensor(positives["item"].to_numpy(copy=True)))
