"""RecEraser's attention-based aggregation of shard embeddings (Chen et al., WWW 2022, §3.4).

Each shard k has trained ego embeddings e^k for every user (and item). They are
mapped into a shared space by a per-shard affine map, scored by one attention network
and mixed by a softmax over the shards, separately for users and for items:

    ē^k = W_k e^k + b_k
    a_k = h^T ReLU(W ē^k + b),   α_k = exp(a_k) / sum_j exp(a_j)
    e   = sum_k α_k ē^k

The shard embeddings are frozen buffers: only the maps and the attention networks
train (after the shards, on the same rows). The maps start as the identity, so a
one-shard ensemble is exactly its shard before training. A prediction is e_u . e_i;
for LightGCN the aggregated ego embeddings are propagated over the graph of all the
rows (``n_layers`` layers, as the backbone) before the dot product.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from recunlearn.models.lightgcn import normalized_adjacency
from recunlearn.models.row_pattern import RowPattern
from recunlearn.models.scoring import EmbeddingScorer, Scorer, ScoringModel


class ShardAttention(nn.Module):
    """Per-shard affine maps and one attention network over S shards' embeddings."""

    def __init__(self, n_shards: int, dim: int, attention_dim: int, generator: torch.Generator):
        super().__init__()
        self.transfer_weight = nn.Parameter(torch.eye(dim).repeat(n_shards, 1, 1))
        self.transfer_bias = nn.Parameter(torch.zeros(n_shards, dim))
        scale = dim**-0.5
        self.attention_weight = nn.Parameter(torch.randn(attention_dim, dim, generator=generator))
        self.attention_bias = nn.Parameter(torch.zeros(attention_dim))
        self.attention_vector = nn.Parameter(torch.randn(attention_dim, generator=generator))
        with torch.no_grad():
            self.attention_weight.mul_(scale)
            self.attention_vector.mul_(attention_dim**-0.5)

    def transferred(self, members: torch.Tensor) -> torch.Tensor:
        """ē^k = W_k e^k + b_k for members of shape (S, B, d)."""
        return (
            torch.bmm(members, self.transfer_weight.transpose(1, 2)) + self.transfer_bias[:, None]
        )

    def weights(self, transferred: torch.Tensor) -> torch.Tensor:
        """α, shape (S, B): softmax over the shards of h^T ReLU(W ē^k + b)."""
        hidden = F.relu(transferred @ self.attention_weight.T + self.attention_bias)
        return torch.softmax(hidden @ self.attention_vector, dim=0)

    def forward(self, members: torch.Tensor) -> torch.Tensor:
        """The aggregated embeddings, shape (B, d)."""
        transferred = self.transferred(members)
        return (self.weights(transferred)[..., None] * transferred).sum(0)


class RowPairs(NamedTuple):
    """Rows (u, i) to score, with their :class:`RowPattern` where the logits use it (CPU).

    Built once for rows scored again and again (the aggregator's full-batch epochs).
    """

    users: torch.Tensor
    items: torch.Tensor
    pattern: RowPattern | None

    @classmethod
    def of(cls, users: torch.Tensor, items: torch.Tensor, n_users: int, n_items: int) -> RowPairs:
        """The pairs of ``users`` and ``items``; their pattern on the CPU only (CUDA's
        indexing backward is deterministic under ``torch.use_deterministic_algorithms``,
        and it is what ran there before)."""
        if users.device.type != "cpu":
            return cls(users, items, None)
        return cls(users, items, RowPattern(users, items, n_users, n_users + n_items))


class PatternLogits(torch.autograd.Function):
    """Logits e_u . e_i of a pattern's rows, from the stacked table E = [users; items].

    Forward: the sampled product on the pattern, each row's value at its (u, i)
    nonzero. Backward: the CSR product of the pattern holding each row's logit gradient
    on both its nonzeros with E, so user u gets sum_r g_r e_i and item i sum_r g_r e_u
    in one pass over the nonzeros, with no rows x d tensor gathered or scattered (on
    CPU, gathering and scattering ML-100K's 6 x 10^4 rows took most of a full-batch
    step; measured: 4 ms against 44 ms per step, and 12 ms for the dense U I^T). Equal
    to indexing's value and gradient up to the order of float additions; first
    derivatives only.
    """

    @staticmethod
    def forward(ctx: Any, table: torch.Tensor, pattern: RowPattern) -> torch.Tensor:
        ctx.save_for_backward(table)
        ctx.pattern = pattern
        return pattern.sampled(table, table).index_select(0, pattern.row_positions())

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        (table,) = ctx.saved_tensors
        pattern = ctx.pattern
        return pattern.matrix(grad.index_select(0, pattern.row_of)) @ table, None


def pair_logits(
    user_table: torch.Tensor, item_table: torch.Tensor, pairs: RowPairs
) -> torch.Tensor:
    """e_u . e_i of every row of ``pairs``: :class:`PatternLogits` where they have a
    pattern, plain indexing otherwise."""
    if pairs.pattern is None:
        return (user_table[pairs.users] * item_table[pairs.items]).sum(-1)
    return PatternLogits.apply(torch.cat([user_table, item_table]), pairs.pattern)


class AttentionEnsemble(ScoringModel):
    """Shard ego embeddings aggregated by attention, then (LightGCN) propagated.

    Args:
        user_members, item_members: shard ego embeddings, shapes (S, n_users, d) and
            (S, n_items, d); kept frozen.
        attention_dim: hidden size of the attention networks.
        n_layers: propagation layers (0: MF).
        graph_users, graph_items: positive edges of the graph to propagate over.
        generator: initialises the attention networks.
    """

    name = "attention"

    def __init__(
        self,
        user_members: torch.Tensor,
        item_members: torch.Tensor,
        attention_dim: int,
        n_layers: int,
        graph_users: torch.Tensor,
        graph_items: torch.Tensor,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        n_shards, self.n_users, dim = user_members.shape
        self.n_items, self.attention_dim, self.n_layers = (
            item_members.shape[1],
            attention_dim,
            n_layers,
        )
        generator = generator or torch.Generator().manual_seed(0)
        self.register_buffer("user_members", user_members.detach().clone())
        self.register_buffer("item_members", item_members.detach().clone())
        self.users_attention = ShardAttention(n_shards, dim, attention_dim, generator)
        self.items_attention = ShardAttention(n_shards, dim, attention_dim, generator)
        self.register_buffer("graph_users", graph_users.to(torch.long).clone())
        self.register_buffer("graph_items", graph_items.to(torch.long).clone())
        self.register_buffer("adjacency", self._adjacency(), persistent=False)

    def _adjacency(self) -> torch.Tensor:
        return normalized_adjacency(self.graph_users, self.graph_items, self.n_users, self.n_items)

    def _load_from_state_dict(self, state_dict, prefix, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)
        self.adjacency = self._adjacency().to(self.user_members.device)

    def aggregated(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The aggregated ego embeddings of every user and item."""
        return self.users_attention(self.user_members), self.items_attention(self.item_members)

    def propagate(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Final embeddings: the aggregated ego embeddings after ``n_layers`` LightGCN layers."""
        return self._propagated(*self.aggregated())

    def _propagated(
        self, users: torch.Tensor, items: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        if self.n_layers == 0:
            return users, items
        layer = torch.cat([users, items])
        total = layer
        for _ in range(self.n_layers):
            layer = torch.sparse.mm(self.adjacency, layer)
            total = total + layer
        final = total / (self.n_layers + 1)
        return final[: self.n_users], final[self.n_users :]

    def row_losses(
        self, users: torch.Tensor, items: torch.Tensor, labels: torch.Tensor, l2: float
    ) -> torch.Tensor:
        """BCE of each row plus ``l2`` times its aggregated ego embeddings' squared norms."""
        return self.pair_losses(self.pairs(users, items), labels, l2)

    def pairs(self, users: torch.Tensor, items: torch.Tensor) -> RowPairs:
        """The rows to score, ready for :meth:`pair_losses` (build once, score many times)."""
        return RowPairs.of(users, items, self.n_users, self.n_items)

    def pair_losses(self, pairs: RowPairs, labels: torch.Tensor, l2: float) -> torch.Tensor:
        """:meth:`row_losses` of ``pairs``.

        Every user and item is aggregated once per call (as LightGCN propagates every
        node per batch), which costs less than aggregating each row's pair when a batch
        holds more rows than there are users and items.
        """
        user_ego, item_ego = self.aggregated()
        user_final, item_final = self._propagated(user_ego, item_ego)
        logits = pair_logits(user_final, item_final, pairs)
        loss = F.binary_cross_entropy_with_logits(logits, labels.to(logits.dtype), reduction="none")
        if l2 > 0:
            users, items = pairs.users, pairs.items
            loss = loss + l2 * (user_ego[users].pow(2).sum(-1) + item_ego[items].pow(2).sum(-1))
        return loss

    def scorer(self) -> Scorer:
        return EmbeddingScorer(*self.propagate())

    def config(self) -> dict[str, Any]:
        return {
            "backbone": self.name,
            "attention_dim": self.attention_dim,
            "n_layers": self.n_layers,
        }
