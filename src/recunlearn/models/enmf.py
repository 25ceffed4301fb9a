"""ENMF: efficient neural matrix factorisation without sampling (Chen et al., TOIS 2020),
the backbone AltEraser is published on (Liu et al., RecSys 2022, §3.1).

Prediction: y_hat_uv = h^T (p_u * q_v), h the prediction layer (AltEraser §3.1).
Loss: the whole-data weighted squared error of AltEraser Eq. (1) with L2,

    L = sum_{u, v} w_uv (y_uv - y_hat_uv)^2 + l2 (|P|^2 + |Q|^2 + |h|^2),

over *every* user-item pair: w_uv = 1 and y_uv = the label on the labelled rows
(AltEraser: "w_uv = 1 are for existing entries"), w_uv = c0 (``negative_weight``,
uniform) and y_uv = 0 on every other pair. ENMF's re-arrangement (its Eq. for the
user-based loss) never materialises the m x n matrix: with S = P diag(h),

    sum_{u, v} c0 y_hat_uv^2 = c0 <S^T S, Q^T Q>   (two cached d x d Gram matrices),

so L = sum_rows [(y - y_hat)^2 - c0 y_hat^2] + c0 <S^T S, Q^T Q> + L2, which costs
O(|rows| d + (m + n) d^2). Unlike ENMF's code there is no dropout and h starts at ones
(the plain dot product). No constant is dropped: the value is the sum above exactly.
"""

from __future__ import annotations

import torch
from torch import nn

from recunlearn.models.base import Recommender
from recunlearn.models.config import ENMFConfig


def whole_data_loss(
    user_rows: torch.Tensor,
    item_embedding: torch.Tensor,
    prediction: torch.Tensor,
    rows: tuple[torch.Tensor, torch.Tensor, torch.Tensor],
    negative_weight: float,
    l2: float,
    share: float = 1.0,
) -> torch.Tensor:
    """ENMF's loss of the users in ``user_rows`` against every item.

    Args:
        user_rows: embeddings of the users of the batch (all users: the whole loss).
        item_embedding: every item embedding Q.
        prediction: the prediction layer h.
        rows: (local user index into ``user_rows``, item, label) of the batch users'
            labelled rows.
        negative_weight: c0, the weight of an unobserved pair.
        l2: weight of the L2 penalty.
        share: the batch's share of the users; Q's and h's penalty is scaled by it so
            the losses of a partition of the users sum to the whole loss.
    """
    local, items, labels = rows
    scaled = user_rows * prediction
    predicted = (scaled[local] * item_embedding[items]).sum(-1)
    observed = (
        (labels.to(predicted.dtype) - predicted) ** 2 - negative_weight * predicted**2
    ).sum()
    gram = negative_weight * ((scaled.T @ scaled) * (item_embedding.T @ item_embedding)).sum()
    shared = item_embedding.pow(2).sum() + prediction.pow(2).sum()
    return observed + gram + l2 * (user_rows.pow(2).sum() + share * shared)


class ENMF(Recommender):
    """y_hat = h^T (p_u * q_v), trained on the whole-data loss (``training_loss``)."""

    name = "enmf"
    label = "ENMF"
    config_type = ENMFConfig
    training_loss = "whole_data"

    def __init__(
        self,
        n_users: int,
        n_items: int,
        embedding_dim: int,
        init_std: float,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__(n_users, n_items, embedding_dim, init_std, generator)
        self.prediction = nn.Parameter(torch.ones(embedding_dim))

    def propagate(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(P diag(h), Q): their dot products are the predictions."""
        return self.user_embedding * self.prediction, self.item_embedding

    def batch_loss(
        self,
        batch: torch.Tensor,
        rows: tuple[torch.Tensor, torch.Tensor, torch.Tensor],
        negative_weight: float,
        l2: float,
    ) -> torch.Tensor:
        """:func:`whole_data_loss` of the users ``batch``; ``rows`` holds their labelled
        rows as (user id, item, label)."""
        users, items, labels = rows
        position = torch.full((self.n_users,), -1, dtype=torch.long, device=batch.device)
        position[batch] = torch.arange(len(batch), device=batch.device)
        return whole_data_loss(
            self.user_embedding[batch],
            self.item_embedding,
            self.prediction,
            (position[users], items, labels),
            negative_weight,
            l2,
            len(batch) / self.n_users,
        )

    def row_losses(
        self, users: torch.Tensor, items: torch.Tensor, labels: torch.Tensor, l2: float
    ) -> torch.Tensor:
        """ENMF has no per-row loss: its loss covers every pair (:func:`whole_data_loss`)."""
        raise NotImplementedError(
            "backbone 'enmf' is trained on a whole-data loss and has no per-row loss; "
            "use recunlearn.training.train_backbone and methods that support it"
        )
