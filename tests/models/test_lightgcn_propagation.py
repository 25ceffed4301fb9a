"""LightGCN's CSR propagation: the paper's formula, exact gradients, and its buffers."""

import copy

import pytest
import torch
from torch.func import grad, vjp

from recunlearn.models import LightGCN, build_backbone, model_from_payload, model_payload
from recunlearn.models.config import LightGCNConfig
from recunlearn.models.lightgcn import SymmetricPropagation, csr_parts, normalized_adjacency

from ..conftest import checkerboard


def dense_adjacency(model: LightGCN) -> torch.Tensor:
    """D^-1/2 A D^-1/2 built densely from the model's edges."""
    n = model.n_users + model.n_items
    adjacency = torch.zeros(n, n, dtype=torch.float64)
    users, items = model.graph_users.cpu(), model.graph_items.cpu() + model.n_users
    adjacency[users, items] = adjacency[items, users] = 1.0
    degree = adjacency.sum(1)
    inv = torch.where(degree > 0, degree.pow(-0.5), torch.zeros_like(degree))
    return inv[:, None] * adjacency * inv[None, :]


def small_lightgcn(n_layers=2, seed=0) -> LightGCN:
    config = LightGCNConfig(embedding_dim=6, init_std=0.3, n_layers=n_layers)
    return build_backbone(
        "lightgcn", 24, 18, config, checkerboard(), torch.Generator().manual_seed(seed)
    )


def test_forward_and_gradient_equal_the_dense_products():
    model = small_lightgcn()
    parts = csr_parts(model.adjacency_for(model.graph_users, model.graph_items))
    graph = (parts["adjacency_rows"], parts["adjacency_cols"], parts["adjacency_values"])
    dense = dense_adjacency(model)
    x = torch.randn(42, 5, dtype=torch.float64, requires_grad=True)
    weights = torch.randn(42, 5, dtype=torch.float64)
    out = SymmetricPropagation.apply(*graph, x)
    torch.testing.assert_close(out, dense.float().double() @ x, rtol=1e-6, atol=1e-7)
    (gradient,) = torch.autograd.grad((out * weights).sum(), x)
    torch.testing.assert_close(gradient, dense.T.float().double() @ weights, rtol=1e-6, atol=1e-7)


def test_second_derivatives_through_torch_func_equal_the_dense_model():
    """grad-of-grad (the influence methods' HVP) through the CSR function is exact."""
    model = small_lightgcn(n_layers=2)
    dense = dense_adjacency(model).float()
    parts = csr_parts(model.adjacency_for(model.graph_users, model.graph_items))
    graph = (parts["adjacency_rows"], parts["adjacency_cols"], parts["adjacency_values"])

    def loss(x, propagate):
        return (torch.tanh(propagate(propagate(x))) ** 2).sum()

    x, vector = torch.randn(42, 3), torch.randn(42, 3)
    sparse_hvp = vjp(grad(lambda z: loss(z, lambda y: SymmetricPropagation.apply(*graph, y))), x)
    dense_hvp = vjp(grad(lambda z: loss(z, lambda y: dense @ y)), x)
    torch.testing.assert_close(
        sparse_hvp[1](vector)[0], dense_hvp[1](vector)[0], rtol=1e-4, atol=1e-5
    )


def test_csr_propagation_matches_the_coo_product_it_replaces():
    model = small_lightgcn(n_layers=3)
    coo = normalized_adjacency(model.graph_users, model.graph_items, 24, 18)
    layer = torch.cat([model.user_embedding, model.item_embedding]).detach()
    total = layer
    for _ in range(3):
        layer = torch.sparse.mm(coo, layer)
        total = total + layer
    users, items = model.propagate()
    torch.testing.assert_close(torch.cat([users, items]).detach(), total / 4, rtol=1e-6, atol=1e-7)


def test_buffers_survive_deepcopy_payload_and_graph_changes():
    model = small_lightgcn()
    users = torch.arange(24)
    copied, restored = copy.deepcopy(model), model_from_payload(model_payload(model))
    for other in (copied, restored):
        torch.testing.assert_close(other.all_scores(users), model.all_scores(users))
    keep = torch.arange(len(model.graph_users)) % 3 != 0
    copied.set_graph(model.graph_users[keep], model.graph_items[keep])
    expected = small_lightgcn()
    rebuilt = LightGCN(24, 18, 6, 0.3, model.graph_users[keep], model.graph_items[keep], 2)
    rebuilt.load_state_dict(
        {**expected.state_dict(), "graph_users": model.graph_users[keep],
         "graph_items": model.graph_items[keep]}
    )  # fmt: skip
    torch.testing.assert_close(copied.all_scores(users), rebuilt.all_scores(users))
    assert not torch.allclose(copied.all_scores(users), model.all_scores(users))


def test_a_graph_without_edges_propagates_zeros():
    empty = torch.empty(0, dtype=torch.long)
    model = LightGCN(3, 2, 4, 1.0, empty, empty, 2, torch.Generator().manual_seed(0))
    users, items = model.propagate()
    torch.testing.assert_close(users, model.user_embedding / 3)
    torch.testing.assert_close(items, model.item_embedding / 3)


@pytest.mark.gpu
def test_cuda_propagation_equals_the_cpu_one():
    if not torch.cuda.is_available():
        pytest.skip("CUDA is not available")
    model = small_lightgcn()
    on_cuda = copy.deepcopy(model).to("cuda")
    for got, expected in zip(on_cuda.propagate(), model.propagate(), strict=True):
        torch.testing.assert_close(got.cpu(), expected, rtol=1e-5, atol=1e-6)
    state = on_cuda.graph_state(model.graph_users.cuda(), model.graph_items.cuda())
    assert all(value.device.type == "cuda" for value in state.values())
