"""LightGCN (He et al., SIGIR 2020) with a point-wise BCE head.

E^(k+1) = Â E^(k) on the user-item bipartite graph, Â = D^-1/2 A D^-1/2 built from
the *positive* rows of the set being trained on, and the final embedding is the
mean of layers 0..K. The graph's edges are persistent buffers, so a saved
``state_dict`` is self-contained; the normalised adjacency is derived from them.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import torch

from recunlearn.models.base import Recommender


def normalized_adjacency(
    users: torch.Tensor, items: torch.Tensor, n_users: int, n_items: int
) -> torch.Tensor:
    """Sparse symmetric-normalised adjacency of the bipartite graph, nodes = users ++ items.

    Nodes without edges have zero rows and columns (no division by zero).
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


def compressed_rows(adjacency: torch.Tensor) -> torch.Tensor:
    """``adjacency`` (sparse COO) as CSR with 32-bit indices, which CPU kernels use as is."""
    with warnings.catch_warnings():  # torch calls its CSR support "beta"
        warnings.simplefilter("ignore", UserWarning)
        compressed = adjacency.to_sparse_csr()
        return torch.sparse_csr_tensor(
            compressed.crow_indices().int(),
            compressed.col_indices().int(),
            compressed.values(),
            compressed.shape,
            check_invariants=False,
        )


def mean_of_layers(adjacency: torch.Tensor, stacked: torch.Tensor, n_layers: int) -> torch.Tensor:
    """(1 / (K + 1)) * sum_{k=0..K} Â^k E: LightGCN's final embeddings of ``stacked`` E."""
    layer, total = stacked, stacked
    for _ in range(n_layers):
        layer = torch.sparse.mm(adjacency, layer)
        total = total + layer
    return total / (n_layers + 1)


class LightGCN(Recommender):
    """LightGCN with ``n_layers`` propagation layers over a fixed interaction graph.

    Args:
        graph_users, graph_items: endpoints of the positive training edges.
        n_layers: K, the number of propagation layers.
        Other arguments as :class:`Recommender`.
    """

    name = "lightgcn"

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
        self.register_buffer(
            "adjacency", self.adjacency_for(graph_users, graph_items), persistent=False
        )

    def adjacency_for(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        """The normalised adjacency this model would use for another edge set."""
        return normalized_adjacency(
            users.to(torch.long), items.to(torch.long), self.n_users, self.n_items
        )

    def graph_state(self, users: torch.Tensor, items: torch.Tensor) -> dict[str, torch.Tensor]:
        users, items = users.to(torch.long), items.to(torch.long)
        return {
            "graph_users": users,
            "graph_items": items,
            "adjacency": self.adjacency_for(users, items).to(
                device=self.user_embedding.device, dtype=self.user_embedding.dtype
            ),
        }

    def _load_from_state_dict(self, state_dict, prefix, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)
        self.adjacency = self.adjacency_for(self.graph_users, self.graph_items).to(
            self.user_embedding.device
        )

    def propagate(self) -> tuple[torch.Tensor, torch.Tensor]:
        stacked = torch.cat([self.user_embedding, self.item_embedding])
        final = mean_of_layers(self.adjacency, stacked, self.n_layers)
        return final[: self.n_users], final[self.n_users :]

    def linear_propagation(
        self, graph: dict[str, torch.Tensor] | None = None
    ) -> Callable[[torch.Tensor], torch.Tensor]:
        """E -> mean of Â^k E for k = 0..K (symmetric), over this graph or ``graph``'s.

        On the CPU the adjacency is converted to CSR once (much faster products).
        """
        adjacency = (graph or {}).get("adjacency", self.adjacency)
        if adjacency.device.type == "cpu":
            adjacency = compressed_rows(adjacency)
        return lambda stacked: mean_of_layers(adjacency, stacked, self.n_layers)

    def config(self) -> dict[str, Any]:
        return {**super().config(), "n_layers": self.n_layers}
