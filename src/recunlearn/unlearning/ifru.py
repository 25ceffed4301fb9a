"""IFRU: recommendation unlearning via influence function (Zhang et al., TORS 2024).

theta' = theta_hat + (1/|D|) H^-1 grad[L_d + L_s]   (Eq. 13-14, 19)

- L_d: the summed training loss of D_r at theta_hat (Eq. 8).
- L_s: spillover, sum over D_c of l(f(u,i; D)) - l(f(u,i; D - D_r)) (Eq. 9): the
  rows of D - D_r whose prediction changes when D_r's edges leave the graph. The
  backbone evaluates itself on the D - D_r graph through ``graph_state``; for MF
  (``graph_hops = 0``) D_c is empty, so nothing here names a backbone.
- Only the embeddings kept by Algorithm 1 pruning (ratios a_0..a_K) move.
- The returned model predicts over the D - D_r graph.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from pydantic import Field, field_validator

from recunlearn.influence.neighbourhood import prune, spillover_rows
from recunlearn.influence.objective import EmbeddingObjective, Selection
from recunlearn.models import positive_edges
from recunlearn.parameters import backbone_keyed
from recunlearn.unlearning.base import UnlearningRequest
from recunlearn.unlearning.influence_base import InfluenceUnlearning, SolverConfig


class IFRUConfig(SolverConfig):
    spillover: bool = True
    """Include the spillover influence I_s (ablation: false)."""
    pruning_ratios: dict[str, list[float]] = Field(
        default_factory=lambda: {"default": [1.0, 1.0], "lightgcn": [1.0, 0.6]}
    )
    """(a_0, ..., a_K) per backbone name; ``default`` for the rest (paper: MF (1, 1), LightGCN (1, 0.6))."""

    @field_validator("pruning_ratios")
    @classmethod
    def _backbone_names(cls, value: dict[str, list[float]]) -> dict[str, list[float]]:
        return backbone_keyed(value)

    def ratios_for(self, backbone: str) -> list[float]:
        return self.pruning_ratios.get(backbone, self.pruning_ratios.get("default", [1.0, 1.0]))


class IFRU(InfluenceUnlearning):
    name = "ifru"
    config_type = IFRUConfig

    def select(self, request: UnlearningRequest) -> Selection:
        model = request.original
        ratios = self.config.ratios_for(model.name)
        return prune(request.train_rows, model.n_users, model.n_items, ratios)

    def removed_loss(
        self, request: UnlearningRequest, objective: EmbeddingObjective
    ) -> tuple[Callable[[torch.Tensor], torch.Tensor], dict[str, Any]]:
        model = request.original
        direct = objective.summed_loss(request.forget_rows)
        spill = request.train_rows.iloc[0:0]
        if self.config.spillover:
            spill = spillover_rows(
                request.train_rows, model.n_users, model.n_items, model.graph_hops
            )
        if spill.empty:
            return direct, {"spillover_rows": 0}
        device = model.user_embedding.device
        new_graph = model.graph_state(*(t.to(device) for t in positive_edges(request.retain_rows)))
        on_old = objective.summed_loss(spill)
        on_new = objective.summed_loss(spill, new_graph)
        return (lambda phi: direct(phi) + on_old(phi) - on_new(phi)), {"spillover_rows": len(spill)}
