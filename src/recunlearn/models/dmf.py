"""DMF, Deep Matrix Factorization (Xue et al., IJCAI 2017), as LASER trains it.

LASER (Eq. 1): R_ij = cos(sigma(alpha_i), sigma(beta_j)), where alpha, beta are the
user and item ego embeddings and sigma is one MLP tower per side (ReLU after every
layer, hidden sizes ``mlp_layers``).

The head and the framework's logit: because every tower layer ends in a ReLU the
tower outputs are non-negative, so the cosine lies in [0, 1]. DMF treats it as the
predicted probability, clipped to mu (Xue et al.'s ``max(mu, cos)``, mu = 1e-6) and
here also to 1 - mu, and trains it with binary cross-entropy. The framework's head is
a logit, so the model returns logit = log p - log(1 - p) with p = clip(cos, mu, 1 - mu):
BCE-with-logits on it is exactly DMF's BCE on p, and sigmoid(logit) = p. A zero tower
output (every ReLU off) gives cos = 0, hence p = mu, never NaN.

DMF has no dot-product head: :meth:`DMF.propagate` returns the ego embeddings only to
satisfy the interface, and ``dot_product_head`` is False so methods that need that
head (closed-form per-row Hessians of p_u . q_i) can refuse DMF.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import torch
import torch.nn.functional as F

from recunlearn.models.base import Recommender
from recunlearn.models.config import DMFConfig
from recunlearn.models.mlp import relu_mlp

MU = 1e-6
"""DMF's clipping constant: the predicted probability is kept in [MU, 1 - MU]."""


def cosine_logit(cosine: torch.Tensor, mu: float = MU) -> torch.Tensor:
    """The logit whose sigmoid is DMF's clipped probability p = clip(cosine, mu, 1 - mu)."""
    probability = cosine.clamp(mu, 1.0 - mu)
    return torch.log(probability) - torch.log1p(-probability)


def unit_rows(vectors: torch.Tensor) -> torch.Tensor:
    """Rows scaled to unit length; a zero row stays zero (no division by zero)."""
    return F.normalize(vectors, dim=-1, eps=1e-12)


@dataclass(frozen=True)
class CosineScorer:
    """DMF's logits from the unit tower outputs of every user and item, computed once."""

    user_unit: torch.Tensor
    item_unit: torch.Tensor

    def pairs(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        return cosine_logit((self.user_unit[users] * self.item_unit[items]).sum(-1))

    def users(self, users: torch.Tensor) -> torch.Tensor:
        return cosine_logit(self.user_unit[users] @ self.item_unit.T)


class DMF(Recommender):
    """DMF: one ReLU MLP tower per side over the ego embeddings, cosine head.

    Args:
        mlp_layers: hidden sizes of each tower (LASER: 64, 32); the last is the size of
            the vectors whose cosine is the prediction.
        Other arguments as :class:`Recommender`; the embeddings are N(0, init_std^2),
        then every tower weight is Glorot-uniform (see :mod:`recunlearn.models.mlp`),
        all drawn from ``generator``.
    """

    name = "dmf"
    label = "DMF"
    config_type = DMFConfig
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
        super().__init__(n_users, n_items, embedding_dim, init_std, generator)
        if not mlp_layers:
            raise ValueError("DMF needs at least one tower layer (mlp_layers is empty)")
        self.mlp_layers = [int(width) for width in mlp_layers]
        self.user_tower = relu_mlp(self.embedding_dim, self.mlp_layers, generator)
        self.item_tower = relu_mlp(self.embedding_dim, self.mlp_layers, generator)

    def propagate(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The ego embeddings (DMF has no propagation and no dot-product head)."""
        return self.user_embedding, self.item_embedding

    def forward(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        user = unit_rows(self.user_tower(F.embedding(users, self.user_embedding)))
        item = unit_rows(self.item_tower(F.embedding(items, self.item_embedding)))
        return cosine_logit((user * item).sum(-1))

    def scorer(self) -> CosineScorer:
        """Unit tower outputs of all users and items; ``users()`` is one matrix product."""
        return CosineScorer(
            unit_rows(self.user_tower(self.user_embedding)),
            unit_rows(self.item_tower(self.item_embedding)),
        )

    def config(self) -> dict[str, Any]:
        return {**super().config(), "mlp_layers": list(self.mlp_layers)}
