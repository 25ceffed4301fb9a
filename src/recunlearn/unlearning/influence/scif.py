"""SCIF: selective and collaborative influence function (Li et al., ESWA 2023).

Our reading, from the IFRU paper (Sec. 4.1.2) and the survey (Sec. III-A):

- *Selective*: only the embeddings of the users and items that occur in D_r move
  (no neighbours, no pruning scores); H is the Hessian with respect to them.
- *Collaborative*: instead of deleting a row (u, i, y) of D_r, its label is replaced
  by the average label of its collaborative neighbourhood: every row of D - D_r that
  shares its user or its item (the global mean label when it has none). The
  influence of changing D_r's labels from y to y~ is
  theta' = theta_hat + (1/|D|) H^-1 grad[sum_Dr l(f, y) - l(f, y~)],
  and for BCE that gradient is sum_Dr (y~ - y) grad f.
- No spillover term; the returned model predicts over the D - D_r graph so that the
  forgotten edges are no longer served.

``scif`` uses the exact Hessian with the Lanczos damping rule, ``scif_gn`` the
Gauss-Newton matrix with a fixed damping (as ``ifru`` / ``ifru_gn``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import torch

from recunlearn.influence.objective import EmbeddingObjective, LossTerm, Selection
from recunlearn.unlearning.base import UnlearningRequest
from recunlearn.unlearning.influence.base import InfluenceUnlearning
from recunlearn.unlearning.influence.config import SCIFConfig
from recunlearn.unlearning.influence.prepared import InfluenceState


def neighbourhood_labels(forget: pd.DataFrame, retain: pd.DataFrame) -> np.ndarray:
    """Mean label of the retained rows sharing each forget row's user or item."""
    fallback = float(retain["label"].mean()) if len(retain) else 0.5
    by_user = retain.groupby("user")["label"].agg(["sum", "count"])
    by_item = retain.groupby("item")["label"].agg(["sum", "count"])
    user_stats = by_user.reindex(forget["user"]).fillna(0.0).to_numpy()
    item_stats = by_item.reindex(forget["item"]).fillna(0.0).to_numpy()
    total, count = user_stats[:, 0] + item_stats[:, 0], user_stats[:, 1] + item_stats[:, 1]
    return np.where(count > 0, total / np.maximum(count, 1), fallback)


class SCIF(InfluenceUnlearning):
    """SCIF's selection (D_r's users and items) and relabelling loss, for either Hessian:
    the exact one damped by the Lanczos rule from ``prepare`` by default; the registry's
    ``scif_gn`` is the Gauss-Newton matrix with a fixed damping."""

    name = "scif"
    label = "SCIF"
    config_type = SCIFConfig
    contract_settings = {"max_iter": 20, "lanczos_steps": 8}

    def select(self, request: UnlearningRequest, state: InfluenceState) -> Selection:
        forget = request.forget_rows
        return Selection(
            torch.as_tensor(np.unique(forget["user"].to_numpy()), dtype=torch.long),
            torch.as_tensor(np.unique(forget["item"].to_numpy()), dtype=torch.long),
        )

    def removed_terms(
        self, request: UnlearningRequest, objective: EmbeddingObjective, state: InfluenceState
    ) -> tuple[list[LossTerm], dict[str, Any]]:
        forget = request.forget_rows
        relabelled = forget.assign(label=neighbourhood_labels(forget, request.retain_rows))
        details = {"mean_replacement_label": float(relabelled["label"].mean())}
        return [LossTerm(forget), LossTerm(relabelled, -1.0)], details
