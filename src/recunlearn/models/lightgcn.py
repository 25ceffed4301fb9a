"""LightGCN (He et al., SIGIR 2020) with a point-wise BCE head.

E^(k+1) = Â E^(k) on the user-item bipartite graph, Â = D^-1/2 A D^-1/2 built from
the *positive* rows of the set being trained on, and the final embedding is the
mean of layers 0..K (Eq. 7-8 of the paper). The graph's edges are persistent
buffers, so a saved ``state_dict`` is self-contained; the normalised adjacency is
derived from them.

Each product Â X is a CSR sparse-dense product (MKL / native on the CPU, cuSPARSE
SpMM on CUDA). Â is symmetric, so the gradient of Â X with respect to X is Â G:
:class:`SymmetricPropagation` reuses the forward CSR matrix in the backward pass
instead of letting autograd transpose a COO matrix each step. Measured on ML-100K
(66k non-zeros, d = 64, one CPU thread): a forward plus backward product took 4.5 ms
with ``torch.sparse.mm`` on COO and 0.65 ms with this function. The result is the
same product summed in another order (differences of 1e-7, float32 rounding).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import pandas as pd
import torch

from recunlearn.models.base import Recommender, positive_edges
from recunlearn.models.config import LightGCNConfig


def normalized_adjacency(
    users: torch.Tensor, items: torch.Tensor, n_users: int, n_items: int
) -> torch.Tensor:
    """Sparse symmetric-normalised adjacency of the bipartite graph, nodes = users ++ items.

    A coalesced COO tensor. Nodes without edges have zero rows and columns (no
    division by zero).
    """
    n_nodes = n_users + n_items
    rows = torch.cat([users, items + n_users])
    cols = torch.cat([items + n_users, users])
    degree = torch.bincount(rows, minlength=n_nodes).to(torch.float32)
    inv_sqrt = torch.where(degree > 0, degree.clamp(min=1).rsqrt(), torch.zeros_like(degree))
    values = inv_sqrt[rows] * inv_sqrt[cols]
    adjacency = torch.sparse_coo_tensor(
        torch.stack([rows, cols]), values, (n_nodes, n_nodes), check_invariants=False
    )
    return adjacency.coalesce()


def csr_parts(adjacency: torch.Tensor) -> dict[str, torch.Tensor]:
    """The CSR arrays (row offsets, column indices, values) of a sparse matrix.

    Kept as three dense buffers rather than one CSR tensor: dense buffers survive
    ``copy.deepcopy``, ``torch.func.functional_call`` and device moves unchanged.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta")
        csr = adjacency.to_sparse_csr()
    return {
        "adjacency_rows": csr.crow_indices(),
        "adjacency_cols": csr.col_indices(),
        "adjacency_values": csr.values(),
    }


def _csr(rows: torch.Tensor, cols: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
    n_nodes = len(rows) - 1
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta")
        return torch.sparse_csr_tensor(
            rows, cols, values, (n_nodes, n_nodes), check_invariants=False
        )


class SymmetricPropagation(torch.autograd.Function):
    """Â X for a symmetric CSR matrix Â given by its arrays; the backward is Â G.

    Differentiable to any order (the backward calls this function again), so the
    influence methods' Hessian-vector products through ``torch.func`` work as with
    ``torch.sparse.mm``. Gradients flow to X only: the adjacency is data.
    """

    @staticmethod
    def forward(
        rows: torch.Tensor, cols: torch.Tensor, values: torch.Tensor, dense: torch.Tensor
    ) -> torch.Tensor:
        return _csr(rows, cols, values.to(dense.dtype)) @ dense

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
        ctx.save_for_backward(*inputs[:3])

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[None, None, None, torch.Tensor]:
        rows, cols, values = ctx.saved_tensors
        return None, None, None, SymmetricPropagation.apply(rows, cols, values, grad)


class LightGCN(Recommender):
    """LightGCN with ``n_layers`` propagation layers over a fixed interaction graph.

    Args:
        graph_users, graph_items: endpoints of the positive training edges.
        n_layers: K, the number of propagation layers.
        Other arguments as :class:`Recommender`.
    """

    name = "lightgcn"
    label = "LightGCN"
    config_type = LightGCNConfig
    architecture_fields = ("n_layers",)

    @classmethod
    def data_inputs(cls, train_rows: pd.DataFrame) -> dict[str, torch.Tensor]:
        """The graph: the positive rows of the training data."""
        users, items = positive_edges(train_rows)
        return {"graph_users": users, "graph_items": items}

    @classmethod
    def saved_inputs(cls, state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        return {"graph_users": state["graph_users"], "graph_items": state["graph_items"]}

    def __init__(
        self,
        n_users: int,
        n_items: int,
        embedding_dim: int,
        init_std: float,
        graph_users: torch.Tensor,
        graph_items: torch.Tensor,
        n_layers: int = 1,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__(n_users, n_items, embedding_dim, init_std, generator)
        self.n_layers = int(n_layers)
        self.graph_hops = self.n_layers
        self.register_buffer("graph_users", graph_users.to(torch.long).clone())
        self.register_buffer("graph_items", graph_items.to(torch.long).clone())
        for name, value in csr_parts(self.adjacency_for(graph_users, graph_items)).items():
            self.register_buffer(name, value, persistent=False)

    def adjacency_for(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        """The normalised adjacency (COO) this model would use for another edge set."""
        return normalized_adjacency(
            users.to(torch.long), items.to(torch.long), self.n_users, self.n_items
        )

    @property
    def adjacency(self) -> torch.Tensor:
        """The normalised adjacency of the current graph, as a CSR tensor."""
        return _csr(self.adjacency_rows, self.adjacency_cols, self.adjacency_values)

    def graph_state(self, users: torch.Tensor, items: torch.Tensor) -> dict[str, torch.Tensor]:
        users, items = users.to(torch.long), items.to(torch.long)
        device, dtype = self.user_embedding.device, self.user_embedding.dtype
        parts = csr_parts(self.adjacency_for(users.to(device), items.to(device)))
        parts["adjacency_values"] = parts["adjacency_values"].to(dtype)
        return {"graph_users": users, "graph_items": items, **parts}

    def _load_from_state_dict(self, state_dict, prefix, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)
        device = self.user_embedding.device
        users, items = self.graph_users.to(device), self.graph_items.to(device)
        for name, value in csr_parts(self.adjacency_for(users, items)).items():
            setattr(self, name, value)

    def propagate(self) -> tuple[torch.Tensor, torch.Tensor]:
        layer = torch.cat([self.user_embedding, self.item_embedding])
        total = layer
        graph = (self.adjacency_rows, self.adjacency_cols, self.adjacency_values)
        for _ in range(self.n_layers):
            layer = SymmetricPropagation.apply(*graph, layer)
            total = total + layer
        final = total / (self.n_layers + 1)
        return final[: self.n_users], final[self.n_users :]

    def linear_propagation(
        self, graph: dict[str, torch.Tensor] | None = None
    ) -> Callable[[torch.Tensor], torch.Tensor]:
        """E -> mean of Â^k E for k = 0..K (symmetric), over this graph or ``graph``'s
        (``graph_state`` buffers), without autograd: the CSR matrix is built once, with
        32-bit indices on the CPU, whose kernels would otherwise convert them per product.
        """
        parts = {**dict(self.named_buffers()), **(graph or {})}
        rows, cols = parts["adjacency_rows"], parts["adjacency_cols"]
        if rows.device.type == "cpu":
            rows, cols = rows.int(), cols.int()
        adjacency = _csr(rows, cols, parts["adjacency_values"])

        def propagate(stacked: torch.Tensor) -> torch.Tensor:
            layer, total = stacked, stacked
            for _ in range(self.n_layers):
                layer = adjacency @ layer
                total = total + layer
            return total / (self.n_layers + 1)

        return propagate

    def config(self) -> dict[str, Any]:
        return {**super().config(), "n_layers": self.n_layers}
