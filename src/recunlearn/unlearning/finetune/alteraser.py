"""AltEraser (Liu et al., "Forgetting Fast in Recommender Systems", Algorithm 1).

Warm start from Original, then alternate: with item embeddings fixed, move the user
embeddings to minimise the loss on D - D_r; then the items with users fixed; each
sub-problem solved by a 2nd-order optimiser (see :mod:`block_solvers`). The first
pass covers only the users / items that occur in D_r (the erase pass); further passes
cover every user / item of D - D_r until the relative change of the retain loss made
by the last pass is below ``tol`` or ``max_passes`` passes have run.

Choices where the paper is silent: the model serves (and the sub-problems use) the
graph of D - D_r from the start; a block is ``batch_size`` users or items (0: all at
once; MF's per-user problems are independent, so one block is exact); AH-Newton needs
``graph_hops == 0`` and on a graph backbone the method runs HF-Newton instead and
says so in its log (``optimizer_used``). The default schedule (one Newton step per
sub-problem, the erase pass and one full pass) is the one ``benchmarks/alteraser_sweep.py``
measures against Retrain.

Every sub-problem minimises the backbone's own training loss: per-row BCE + L2 for MF /
LightGCN, the whole-data weighted squared loss for ENMF (the paper's backbone, whose
per-user / per-item problems are quadratic, so AH-Newton solves each exactly in one step;
:mod:`whole_data_blocks`). The stopping rule (Algorithm 1's "while stopping criterion is
not met", which the paper leaves open) is this module's: a full pass runs while the
previous pass changed the retain loss by at least ``tol`` (relative) and fewer than
``max_passes`` full passes have run.

What it converges to: the minimiser of the L2-regularised retain loss. That is
Retrain's model only where Retrain itself reaches the minimiser (the paper's protocol,
``--env alteraser``: L2 0.05, long patience). Backbones that are early-stopped with
little L2 (the tuned models of the IFRU protocol) have a retain-loss minimiser that
overfits, and AltEraser moves towards it, away from the early-stopped Retrain.

In a stream of requests the next request warm-starts from this model on what then
remains (``continues_from_model``); nothing is prepared, so nothing else carries.
"""

from __future__ import annotations

import copy
import time

import numpy as np
import pandas as pd
import torch

from recunlearn.influence.neighbourhood import bipartite_adjacency, expand, rows_touching
from recunlearn.influence.objective import EmbeddingObjective, Selection
from recunlearn.models import DOT_PRODUCT_BACKBONES, positive_edges
from recunlearn.models.base import Recommender
from recunlearn.models.config import ENMFConfig, TrainConfig
from recunlearn.unlearning.base import (
    PreparedState,
    UnlearningMethod,
    UnlearningOutcome,
    UnlearningRequest,
)
from recunlearn.unlearning.finetune.block_solvers import adamw, ah_newton, hf_newton
from recunlearn.unlearning.finetune.config import AltEraserConfig
from recunlearn.unlearning.finetune.whole_data_blocks import WholeDataObjective, whole_data_newton

CLOSED_FORM_NEWTON = {"per_row_bce": ah_newton, "whole_data": whole_data_newton}
"""AH-Newton's solver per ``Recommender.training_loss``."""


def block_objective(
    model: Recommender, selection: Selection, cfg: TrainConfig
) -> EmbeddingObjective:
    """The backbone's training loss as a function of the ``selection``'s embeddings
    (``cfg`` is the backbone's own config: an ``ENMFConfig`` for the whole-data loss)."""
    if model.training_loss == "whole_data":
        assert isinstance(cfg, ENMFConfig), type(cfg).__name__
        return WholeDataObjective(model, selection, cfg.l2, cfg.negative_weight)
    return EmbeddingObjective(model, selection, cfg.l2)


def retain_loss(model: Recommender, rows: pd.DataFrame, cfg: TrainConfig) -> float:
    """The training loss of ``model`` on ``rows`` (the retain set D - D_r)."""
    empty = torch.empty(0, dtype=torch.long)
    objective = block_objective(model, Selection(empty, empty), cfg)
    with torch.no_grad():
        return float(objective.summed_loss(rows)(objective.initial()))


def dependent_rows(model: Recommender, rows: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    """Rows whose prediction depends on the embeddings of the nodes in ``mask``."""
    if model.graph_hops > 0:
        graph = bipartite_adjacency(rows[rows["label"] == 1], model.n_users, model.n_items)
        mask = expand(mask, graph, model.graph_hops)
    return rows_touching(rows, mask, model.n_users)


class AltEraser(UnlearningMethod):
    name = "alteraser_ah"
    label = "AltEraser (AH-Newton)"
    family = "fine-tuning"
    continues_from_model = True
    contract_settings = {"max_passes": 1}
    # The closed-form per-row Hessian assumes a dot-product head (MF; graph backbones
    # switch to hf_newton); on DMF/NeuMF it would minimise the wrong loss.
    supported_backbones = DOT_PRODUCT_BACKBONES
    config_type = AltEraserConfig

    def optimizer_for(self, model: Recommender) -> str:
        if self.config.optimizer == "ah_newton" and model.graph_hops > 0:
            return "hf_newton"
        return self.config.optimizer

    def solve_block(self, model, rows, block: np.ndarray, side: str, cfg: TrainConfig) -> None:
        """Move one block of ``side`` embeddings in place."""
        mask = np.zeros(model.n_users + model.n_items, dtype=bool)
        mask[block + (0 if side == "user" else model.n_users)] = True
        block_rows = dependent_rows(model, rows, mask)
        ids = torch.as_tensor(block, dtype=torch.long)
        empty = torch.empty(0, dtype=torch.long)
        selection = Selection(ids, empty) if side == "user" else Selection(empty, ids)
        objective = block_objective(model, selection, cfg)
        optimizer = self.optimizer_for(model)
        if optimizer == "ah_newton":
            newton = CLOSED_FORM_NEWTON[model.training_loss]
            phi = newton(objective, block_rows, self.config, side)
        elif optimizer == "hf_newton":
            phi = hf_newton(objective, block_rows, self.config)
        else:
            phi = adamw(objective, block_rows, self.config)
        users, items = objective.embeddings(phi.detach())
        with torch.no_grad():
            model.user_embedding.copy_(users)
            model.item_embedding.copy_(items)

    def one_pass(self, model, rows, users: np.ndarray, items: np.ndarray, cfg: TrainConfig) -> None:
        for side, ids in (("user", users), ("item", items)):
            size = self.config.batch_size or max(len(ids), 1)
            for start in range(0, len(ids), size):
                self.solve_block(model, rows, ids[start : start + size], side, cfg)

    def unlearn(self, state: PreparedState | None, request: UnlearningRequest) -> UnlearningOutcome:
        start = time.perf_counter()
        model = copy.deepcopy(request.original)
        if request.forget_rows.empty:
            return UnlearningOutcome(model, {"seconds": 0.0, "passes": 0})
        retain, forget, cfg = request.retain_rows, request.forget_rows, request.train_config
        device = model.user_embedding.device
        model.set_graph(*(t.to(device) for t in positive_edges(retain)))
        losses = [retain_loss(model, retain, cfg)]
        self.one_pass(model, retain, np.unique(forget["user"]), np.unique(forget["item"]), cfg)
        losses.append(retain_loss(model, retain, cfg))
        passes = 0
        while passes < self.config.max_passes and _relative_change(losses) >= self.config.tol:
            self.one_pass(model, retain, np.unique(retain["user"]), np.unique(retain["item"]), cfg)
            losses.append(retain_loss(model, retain, cfg))
            passes += 1
        return UnlearningOutcome(
            model,
            {
                "seconds": time.perf_counter() - start,
                "optimizer_used": self.optimizer_for(model),
                "full_passes": passes,
                "retain_loss_history": losses,
            },
        )


def _relative_change(losses: list[float]) -> float:
    return abs(losses[-2] - losses[-1]) / max(abs(losses[-2]), 1e-12)
