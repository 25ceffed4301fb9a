"""AltEraser's sub-problems on ENMF's whole-data loss (Liu et al. 2022, §3.1, §4.3).

With the items (and the prediction layer h) fixed, ENMF's loss is, for one user,

    L_u(p) = sum_{v in O_u} [(y_uv - p.q~_v)^2 - c0 (p.q~_v)^2] + c0 p^T G p + l2 |p|^2,

q~_v = h * q_v, O_u the user's labelled retain rows and G = sum_v q~_v q~_v^T over
*every* item (the cached Gram matrix of the whole-data loss). It is quadratic, with

    gradient  2 [sum_O ((1 - c0) p.q~ - y) q~ + c0 G p + l2 p]
    Hessian   2 [(1 - c0) sum_O q~ q~^T + c0 G + l2 I],

so one Newton step (AH-Newton, "ad hoc": the manually derived Hessian) lands on the
sub-problem's exact minimiser, the weighted least-squares solution over all items.
Items are the same with the roles swapped (p~_u = h * p_u, G over every user).
:class:`WholeDataObjective` gives HF-Newton and AdamW the same loss as a function of
the moved embeddings, so they run unchanged on ENMF.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import torch

from recunlearn.influence.objective import EmbeddingObjective, Selection
from recunlearn.models.base import Recommender
from recunlearn.models.enmf import whole_data_loss
from recunlearn.predictions import rows_to_tensors
from recunlearn.unlearning.finetune.block_solvers import gram_per_block, spd_solve
from recunlearn.unlearning.finetune.config import BlockConfig


class WholeDataObjective(EmbeddingObjective):
    """ENMF's whole-data loss as a function of the selected embedding rows (phi).

    ``summed_loss(rows)`` is the loss of every user against every item in which the
    labelled pairs are ``rows``; pass all retain rows for the retain loss, or only the
    rows touching the selection (the others are constant in phi) for a sub-problem.
    """

    def __init__(
        self, model: Recommender, selection: Selection, l2: float, negative_weight: float
    ) -> None:
        super().__init__(model, selection, l2)
        self.negative_weight = negative_weight
        self.prediction = self.params["prediction"]

    def summed_loss(
        self, rows: pd.DataFrame, graph: dict[str, torch.Tensor] | None = None
    ) -> Callable[[torch.Tensor], torch.Tensor]:
        tensors = rows_to_tensors(rows, self.base_user.device)

        def loss(phi: torch.Tensor) -> torch.Tensor:
            users, items = self.embeddings(phi)
            return whole_data_loss(
                users, items, self.prediction, tensors, self.negative_weight, self.l2
            )

        return loss


def whole_data_newton(
    objective: WholeDataObjective, rows: pd.DataFrame, cfg: BlockConfig, side: str
) -> torch.Tensor:
    """AH-Newton for ENMF: each ``side`` embedding of the block moved by the closed-form
    Newton step of its quadratic sub-problem (exact in one step when ``damping`` is 0).

    ``rows`` must hold every labelled retain row of the block's users (items).
    """
    block = objective.users if side == "user" else objective.items
    own_all, other_all = objective.base_user, objective.base_item
    if side != "user":
        own_all, other_all = other_all, own_all
    own_ids, other_ids, labels = _row_ids(rows, side, own_all.device)
    local = torch.searchsorted(block, own_ids)
    own = own_all[block].clone()
    scaled_other = other_all * objective.prediction
    features = scaled_other[other_ids]
    c0, l2 = objective.negative_weight, objective.l2
    eye = torch.eye(own.shape[1], dtype=own.dtype, device=own.device)
    gram = scaled_other.T @ scaled_other
    observed = gram_per_block(features, local, len(block))
    hessian = 2 * ((1 - c0) * observed + c0 * gram + l2 * eye) + cfg.damping * eye
    for _ in range(cfg.newton_steps):
        predicted = (own[local] * features).sum(-1)
        residual = (1 - c0) * predicted - labels.to(own.dtype)
        gradient = torch.zeros_like(own).index_add_(0, local, residual[:, None] * features)
        gradient = 2 * (gradient + c0 * own @ gram + l2 * own)
        own = own + spd_solve(hessian, -gradient)
    user_part = own if side == "user" else objective.base_user[objective.users]
    item_part = objective.base_item[objective.items] if side == "user" else own
    return torch.cat([user_part.reshape(-1), item_part.reshape(-1)])


def _row_ids(
    rows: pd.DataFrame, side: str, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    users, items, labels = rows_to_tensors(rows, device)
    return (users, items, labels) if side == "user" else (items, users, labels)
