"""NeuMF, Neural Matrix Factorization (He et al., WWW 2017; "NMF" in LASER).

LASER (Eq. 2): R_ij = sigma(F_GMF(i, j) ++ F_MLP(i, j)) with F_GMF = alpha_i * beta_j
(element-wise) and F_MLP an MLP on the concatenation [alpha'_i ; beta'_j]. As in He et
al. the two branch outputs are concatenated and mapped by one linear layer
h (no bias) to the prediction; here that layer's output is the logit.

One ego matrix per side: ``user_embedding`` (``item_embedding``) holds the GMF
embedding alpha in its first ``embedding_dim // 2`` columns and the MLP embedding
alpha' in the others, so the per-row L2 of ``row_losses`` covers both and every
method that moves rows of ``user_embedding`` moves both branches. LASER's "user (item)
embedding matrix of dimension 16" is therefore 8 GMF + 8 MLP columns.

NeuMF has no dot-product head: :meth:`NeuMF.propagate` returns the ego embeddings
only to satisfy the interface, and ``dot_product_head`` is False.

The scorer: with the output layer h = [h_GMF ; h_MLP] and the MLP's first layer W = [W_u | W_i]:

    logit(u, i) = (alpha_u * h_GMF) . beta_i + h_MLP . g(W_u alpha'_u + b + W_i beta'_i)

where g is the MLP after its first linear map. (alpha_u * h_GMF), W_u alpha'_u + b and
W_i beta'_i are precomputed for every user and item, so a pair costs one addition and
the remaining MLP layers; a user against every item costs one matrix product for GMF.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import torch
import torch.nn.functional as F
from torch import nn

from recunlearn.models.base import Recommender
from recunlearn.models.config import NeuMFConfig
from recunlearn.models.mlp import glorot_linear, relu_mlp

MAX_HIDDEN_ELEMENTS = 1 << 24
"""Cap on (users x items x first-layer width) values materialised at once by ``users()``."""


@dataclass(frozen=True)
class NeuMFScorer:
    """Logits of a NeuMF model from per-user and per-item precomputed terms."""

    gmf_user: torch.Tensor
    """alpha_u * h_GMF for every user."""
    gmf_item: torch.Tensor
    """beta_i for every item (GMF half)."""
    first_user: torch.Tensor
    """W_u alpha'_u + b, the user's share of the MLP's first pre-activation."""
    first_item: torch.Tensor
    """W_i beta'_i, the item's share of it."""
    rest: nn.Module
    """The MLP after its first linear layer (starting with that layer's ReLU)."""
    mlp_output: torch.Tensor
    """h_MLP, the output layer's weights on the MLP branch."""

    def pairs(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        gmf = (self.gmf_user[users] * self.gmf_item[items]).sum(-1)
        hidden = self.rest(self.first_user[users] + self.first_item[items])
        return gmf + hidden @ self.mlp_output

    def users(self, users: torch.Tensor) -> torch.Tensor:
        """Every item for each user; the MLP runs on slices of users so that at most
        ``MAX_HIDDEN_ELEMENTS`` first-layer activations exist at once."""
        gmf = self.gmf_user[users] @ self.gmf_item.T
        n_items, width = self.first_item.shape
        step = max(1, MAX_HIDDEN_ELEMENTS // max(n_items * width, 1))
        parts = [
            self.rest(self.first_user[users[s : s + step], None, :] + self.first_item[None])
            @ self.mlp_output
            for s in range(0, len(users), step)
        ]
        mlp = torch.cat(parts) if parts else gmf.new_zeros(0, n_items)
        return gmf + mlp


class NeuMF(Recommender):
    """NeuMF: GMF and MLP branches on the two halves of each ego embedding.

    Args:
        embedding_dim: width of each ego matrix (at least 2): its first
            ``embedding_dim // 2`` columns are the GMF embedding, the rest the MLP's.
        mlp_layers: hidden sizes of the MLP branch (LASER: 64, 32).
        Other arguments as :class:`Recommender`; the embeddings are N(0, init_std^2),
        then every MLP and output weight is Glorot-uniform (see
        :mod:`recunlearn.models.mlp`), all drawn from ``generator``.
    """

    name = "neumf"
    label = "NeuMF"
    config_type = NeuMFConfig
    architecture_fields = ("mlp_layers",)
    dot_product_head: ClassVar[bool] = False

    def __init__(
        self,
        n_users: int,
        n_items: int,
        embedding_dim: int,
        init_std: float,
        mlp_layers: Sequence[int] = (64, 32),
        generator: torch.Generator | None = None,
    ) -> None:
        if embedding_dim < 2:
            raise ValueError(
                f"NeuMF splits each embedding into a GMF and an MLP part: embedding_dim "
                f"must be at least 2 (got {embedding_dim})"
            )
        if not mlp_layers:
            raise ValueError("NeuMF needs at least one MLP layer (mlp_layers is empty)")
        super().__init__(n_users, n_items, embedding_dim, init_std, generator)
        self.mlp_layers = [int(width) for width in mlp_layers]
        self.gmf_dim = self.embedding_dim // 2
        mlp_dim = self.embedding_dim - self.gmf_dim
        self.mlp = relu_mlp(2 * mlp_dim, self.mlp_layers, generator)
        self.output = glorot_linear(self.gmf_dim + self.mlp_layers[-1], 1, generator, bias=False)

    def propagate(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The ego embeddings (NeuMF has no propagation and no dot-product head)."""
        return self.user_embedding, self.item_embedding

    def forward(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        user = F.embedding(users, self.user_embedding)
        item = F.embedding(items, self.item_embedding)
        split = self.gmf_dim
        gmf = user[:, :split] * item[:, :split]
        mlp = self.mlp(torch.cat([user[:, split:], item[:, split:]], dim=-1))
        return self.output(torch.cat([gmf, mlp], dim=-1)).squeeze(-1)

    def scorer(self) -> NeuMFScorer:
        """The GMF term and the MLP's first layer precomputed per user and per item."""
        first: nn.Linear = self.mlp[0]
        split, h = self.gmf_dim, self.output.weight[0]
        w_user, w_item = first.weight.chunk(2, dim=1)
        return NeuMFScorer(
            gmf_user=self.user_embedding[:, :split] * h[:split],
            gmf_item=self.item_embedding[:, :split],
            first_user=self.user_embedding[:, split:] @ w_user.T + first.bias,
            first_item=self.item_embedding[:, split:] @ w_item.T,
            rest=self.mlp[1:],
            mlp_output=h[split:],
        )

    def config(self) -> dict[str, Any]:
        return {**super().config(), "mlp_layers": list(self.mlp_layers)}
