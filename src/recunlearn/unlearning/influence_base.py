"""Shared steps of influence-function unlearning (IFRU, SCIF).

theta' = theta_hat + (1/|D|) H^-1 b, where H is the Hessian of the mean training loss
on D and b the gradient of the loss difference the method removes (IFRU Eq. 13-14,
19). We solve with the Hessian of the *summed* loss, H_sum = |D| H, so that
(H_sum + damping I) x = b gives x = (1/|D|) H^-1 b at zero damping, and the damping
is on the scale of per-row curvature rather than of 1/|D|.

Only the selected embeddings (phi) move; H is restricted to them (Eq. 17-18), and only
rows whose prediction can depend on phi enter H (an exact restriction: the others
have zero second derivative in phi).
"""

from __future__ import annotations

import copy
import time
from abc import abstractmethod
from collections.abc import Callable
from typing import Any, Literal

import numpy as np
import pandas as pd
import torch
from pydantic import BaseModel, ConfigDict, Field, model_validator

from recunlearn.evaluation.auc import auc
from recunlearn.influence.neighbourhood import bipartite_adjacency, expand, rows_touching
from recunlearn.influence.objective import EmbeddingObjective, Selection
from recunlearn.influence.solvers import Monitor, SolveResult, make_solver
from recunlearn.models import positive_edges
from recunlearn.models.base import Recommender
from recunlearn.training.dispatch import PER_ROW_BACKBONES
from recunlearn.unlearning.base import (
    PreparedState,
    UnlearningMethod,
    UnlearningOutcome,
    UnlearningRequest,
)


class SolverConfig(BaseModel):
    """Inverse-HVP settings shared by the influence methods."""

    model_config = ConfigDict(extra="forbid")

    hessian: Literal["exact", "gauss_newton"] = "exact"
    """``exact``: the Hessian of the training loss (the papers'). ``gauss_newton``: its
    positive semi-definite generalised Gauss-Newton part, for models that are not at a
    minimum (early-stopped), where the exact Hessian is indefinite."""
    solver: Literal["cg", "adam", "direct"] = "cg"
    """cg (default) | adam (the IFRU paper's) | direct (explicit Hessian, small problems);
    the names of ``recunlearn.influence.solvers.SOLVERS``."""
    damping: float = Field(0.01, ge=0)
    """Added to the summed-loss Hessian's diagonal."""
    tol: float = Field(1e-4, gt=0)
    """Stop when ||(H + damping) x - b|| <= tol * ||b||."""
    max_iter: int = Field(100, ge=1)
    adam_lr: float = Field(0.01, gt=0)
    """Step size of the ``adam`` solver."""
    select_on_validation: bool = False
    """Opt-in, ``adam`` only: return the Adam iterate with the best validation AUC_0,
    checked every ``validate_every`` steps (the published IFRU code's practice). It
    chooses the update with held-out data, so the log and the report mark every
    result that uses it (``selected_on_validation``). Off by default."""
    validate_every: int = Field(10, ge=1)

    @model_validator(mode="after")
    def _selection_needs_adam(self) -> SolverConfig:
        if self.select_on_validation and self.solver != "adam":
            raise ValueError(
                f"select_on_validation needs solver 'adam' (got solver {self.solver!r})"
            )
        return self


def hessian_rows(request: UnlearningRequest, selection: Selection) -> pd.DataFrame:
    """Rows of D whose prediction can depend on the selected embeddings."""
    model, train = request.original, request.train_rows
    n_users = model.n_users
    mask = np.zeros(n_users + model.n_items, dtype=bool)
    mask[selection.users.numpy()] = True
    mask[selection.items.numpy() + n_users] = True
    if model.graph_hops > 0:
        graph = bipartite_adjacency(train[train["label"] == 1], n_users, model.n_items)
        mask = expand(mask, graph, model.graph_hops)
    return rows_touching(train, mask, n_users)


def apply_update(
    model: Recommender, objective: EmbeddingObjective, phi: torch.Tensor, retain: pd.DataFrame
) -> Recommender:
    """A copy of ``model`` with phi written back and the graph of ``retain``."""
    unlearned = copy.deepcopy(model)
    users, items = objective.embeddings(phi.detach())
    with torch.no_grad():
        unlearned.user_embedding.copy_(users)
        unlearned.item_embedding.copy_(items)
    unlearned.set_graph(*(t.to(model.user_embedding.device) for t in positive_edges(retain)))
    return unlearned


def validation_monitor(request: UnlearningRequest, objective: EmbeddingObjective) -> Monitor:
    """step -> validation AUC_0 of the model updated by ``step``, over the D - D_r graph
    (the graph the unlearned model predicts with)."""
    model, valid = request.original, request.valid_rows
    device = model.user_embedding.device
    graph = model.graph_state(*(t.to(device) for t in positive_edges(request.retain_rows)))
    labels, start = valid["label"].to_numpy(), objective.initial()

    def score(step: torch.Tensor) -> float:
        with torch.no_grad():
            logits = objective.logits(start + step, valid, graph)
        return auc(labels, logits.double().cpu().numpy())

    return score


class InfluenceUnlearning(UnlearningMethod):
    """Template: select phi, build b, solve, update. Subclasses choose phi and b."""

    family = "influence"
    supported_backbones = PER_ROW_BACKBONES
    """Influence functions differentiate a per-row BCE loss; ENMF has none."""

    @abstractmethod
    def select(self, request: UnlearningRequest) -> Selection:
        """The users and items whose embeddings move."""

    @abstractmethod
    def removed_loss(
        self, request: UnlearningRequest, objective: EmbeddingObjective
    ) -> tuple[Callable[[torch.Tensor], torch.Tensor], dict[str, Any]]:
        """phi -> the loss whose gradient is b, and details for the log."""

    def unlearn(self, state: PreparedState | None, request: UnlearningRequest) -> UnlearningOutcome:
        start = time.perf_counter()
        model, cfg = request.original, self.config
        if request.forget_rows.empty:
            return UnlearningOutcome(
                copy.deepcopy(model), {"seconds": 0.0, "params_moved": 0, "hvp_count": 0}
            )
        selection = self.select(request)
        objective = EmbeddingObjective(model, selection, request.train_config.l2)
        h_rows = hessian_rows(request, selection)
        if cfg.hessian == "exact":
            hvp = objective.hessian_vector_product(objective.summed_loss(h_rows), scale=1.0)
        else:
            hvp = objective.gauss_newton_vector_product(h_rows)
        loss, details = self.removed_loss(request, objective)
        prepared = time.perf_counter()
        rhs = objective.gradient(loss)
        monitor = validation_monitor(request, objective) if cfg.select_on_validation else None
        solver = make_solver(
            cfg.solver, cfg.damping, cfg.tol, cfg.max_iter, cfg.adam_lr, monitor, cfg.validate_every
        )
        result: SolveResult = solver.solve(hvp, rhs)
        unlearned = apply_update(
            model, objective, objective.initial() + result.solution, request.retain_rows
        )
        end = time.perf_counter()
        return UnlearningOutcome(
            unlearned,
            {
                "seconds": end - start,
                "preparation_seconds": prepared - start,
                "unlearning_seconds": end - prepared,
                "solver": cfg.solver,
                "hessian": cfg.hessian,
                "iterations": result.iterations,
                "hvp_count": result.hvp_count,
                "relative_residual": result.relative_residual,
                "selected_on_validation": cfg.select_on_validation,
                "selected_iteration": result.selected_iteration,
                "params_moved": selection.size(model.embedding_dim),
                "users_moved": len(selection.users),
                "items_moved": len(selection.items),
                "hessian_rows": len(h_rows),
                **details,
            },
        )
