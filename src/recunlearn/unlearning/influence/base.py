"""Shared steps of influence-function unlearning (IFRU, SCIF).

theta' = theta_hat + (1/|D|) H^-1 b, where H is the Hessian of the mean training loss
on D and b the gradient of the loss difference the method removes (IFRU Eq. 13-14,
19). We solve with the Hessian of the *summed* loss, H_sum = |D| H, so that
(H_sum + damping I) x = b gives x = (1/|D|) H^-1 b at zero damping, and the damping
is on the scale of per-row curvature rather than of 1/|D|.

Only the selected embeddings (phi) move; H is restricted to them (Eq. 17-18), and only
rows whose prediction can depend on phi enter H (an exact restriction: the others
have zero second derivative in phi).

The exact Hessian of an early-stopped model is indefinite. With ``damping_rule:
lanczos`` the damping is the smallest that makes H + damping I positive definite, from a
Lanczos estimate of the lowest eigenvalue of the Hessian on D in all embeddings, plus a
margin: it uses only D and the model, so ``ifru`` / ``scif`` compute it in ``prepare``
(before any request) and log it with the estimate. Products are closed-form for MF and
LightGCN (:mod:`recunlearn.influence.dot_product`); CG can be preconditioned with the
per-user / per-item d x d Hessian blocks.

In a stream of requests the next request starts from the unlearned model
(``continues_from_model``) on D - D_r. The Lanczos damping depends on both (the
Hessian on D at the model), so it is not carried forward: the next request
re-estimates it on its own D at its own model, inside its timed call
(``damping_seconds``), which is the estimate ``prepare`` would make there; carrying the
old one would damp a Hessian that no longer exists (updates leave the minimum, so the
new Hessian can be less positive definite). A fixed damping depends on neither and is
carried; so is any state past an empty request, which changes neither. The log splits the time into damping, set-up
(pruning, neighbourhoods, spillover rows, curvature), gradient, solve and update.
"""

from __future__ import annotations

import copy
import logging
import time
from abc import abstractmethod
from typing import Any

import numpy as np
import pandas as pd
import torch

from recunlearn.influence.blocks import block_jacobi
from recunlearn.influence.curvature import hessian_operator, removed_gradient, training_spectrum
from recunlearn.influence.dot_product import DotProductCurvature
from recunlearn.influence.neighbourhood import bipartite_adjacency, expand, rows_touching
from recunlearn.influence.objective import EmbeddingObjective, LossTerm, Selection
from recunlearn.influence.solvers import InverseHVPSolver, Monitor, make_solver
from recunlearn.influence.spectrum import damping_from_spectrum
from recunlearn.models import PER_ROW_BACKBONES, positive_edges
from recunlearn.models.base import Recommender
from recunlearn.predictions import auc
from recunlearn.seeding import torch_generator
from recunlearn.unlearning.base import (
    PrepareContext,
    PreparedState,
    UnlearningMethod,
    UnlearningOutcome,
    UnlearningRequest,
)
from recunlearn.unlearning.influence.damping import DampingState
from recunlearn.unlearning.influence.log import PhaseClock, solve_log

logger = logging.getLogger(__name__)


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
    continues_from_model = True
    supported_backbones = PER_ROW_BACKBONES
    """Influence functions differentiate a per-row BCE loss; ENMF has none."""

    @abstractmethod
    def select(self, request: UnlearningRequest) -> Selection:
        """The users and items whose embeddings move."""

    @abstractmethod
    def removed_terms(
        self, request: UnlearningRequest, objective: EmbeddingObjective
    ) -> tuple[list[LossTerm], dict[str, Any]]:
        """The loss whose gradient is b, as signed terms, and details for the log."""

    @classmethod
    def has_preparation(cls) -> bool:
        """A prepare node only where the registry's settings use the Lanczos rule
        (``ifru_gn`` / ``scif_gn`` default to a fixed damping: nothing to prepare)."""
        return cls.config_type.model_validate(cls.defaults).damping_rule != "fixed"

    def prepare(self, context: PrepareContext) -> DampingState:
        """The Lanczos rule runs here, when the model is learned: the estimate depends
        on D and Original only, so it is made once before any request (logged as
        ``prepare_seconds``, apart from the per-request ``seconds``). With
        ``damping_rule: fixed`` nothing is estimated."""
        if self.config.damping_rule == "fixed":
            return DampingState(seconds=0.0, rule="fixed", damping=self.config.damping)
        return self.estimate_damping(context)

    def unlearn(self, state: PreparedState | None, request: UnlearningRequest) -> UnlearningOutcome:
        clock = PhaseClock()
        model, cfg = request.original, self.config
        if request.forget_rows.empty:
            return UnlearningOutcome(
                copy.deepcopy(model), {"seconds": 0.0, "params_moved": 0, "hvp_count": 0}, state
            )
        damping, damping_log = self.damping(state, request)
        clock.lap("damping")
        selection = self.select(request)
        objective = EmbeddingObjective(model, selection, request.train_config.l2)
        h_rows = hessian_rows(request, selection)
        exact, closed_form = cfg.hessian == "exact", cfg.products == "closed_form"
        hvp, curvature = hessian_operator(objective, h_rows, exact, closed_form)
        terms, details = self.removed_terms(request, objective)
        clock.lap("setup")
        rhs = removed_gradient(objective, terms, closed_form)
        clock.lap("gradient")
        result = self.solver(request, objective, curvature, damping).solve(hvp, rhs)
        clock.lap("solve")
        phi = objective.initial() + result.solution
        unlearned = apply_update(model, objective, phi, request.retain_rows)
        clock.lap("update")
        if not result.converged and not result.hit_cap:  # the solver warns on its cap
            logger.warning(
                "%s: the solver stopped (non-positive curvature) at relative residual %.3g "
                "> tol %.3g after %d products",
                self.name,
                result.relative_residual,
                cfg.tol,
                result.hvp_count,
            )
        log = solve_log(cfg, result, curvature is not None) | damping_log | clock.log()
        return UnlearningOutcome(
            unlearned,
            log
            | {
                "params_moved": selection.size(model.embedding_dim),
                "users_moved": len(selection.users),
                "items_moved": len(selection.items),
                "hessian_rows": len(h_rows),
                **details,
            },
            state if cfg.damping_rule == "fixed" else None,  # see the module's docstring
        )

    def solver(
        self,
        request: UnlearningRequest,
        objective: EmbeddingObjective,
        curvature: DotProductCurvature | None,
        damping: float,
    ) -> InverseHVPSolver:
        """The configured solver; CG gets the block-Jacobi preconditioner where it exists."""
        cfg = self.config
        monitor = validation_monitor(request, objective) if cfg.select_on_validation else None
        preconditioner = None
        if curvature is not None and cfg.preconditioned(closed_form=True):
            preconditioner = block_jacobi(curvature.diagonal_blocks(), damping)
        return make_solver(cfg.solver_settings(damping), monitor, preconditioner)

    def damping(
        self, state: PreparedState | None, request: UnlearningRequest
    ) -> tuple[float, dict[str, Any]]:
        """The damping and its log: as configured, or by the Lanczos rule (from the
        prepared state when there is one, else estimated now, inside the timed call)."""
        cfg = self.config
        if cfg.damping_rule == "fixed":
            return cfg.damping, {"damping": cfg.damping, "damping_rule": "fixed"}
        prepared = state is not None
        if state is None:
            state = self.estimate_damping(PrepareContext.of(request))
        state = self.prepared(state, DampingState)
        log = state.log() | {"damping_prepared": prepared}
        if prepared:  # estimated now, it is part of this call's seconds (damping_seconds)
            log["prepare_seconds"] = state.seconds
        return state.damping, log

    def estimate_damping(self, context: PrepareContext) -> DampingState:
        """The Lanczos rule's damping from the Hessian on D (needs no request)."""
        cfg = self.config
        start = time.perf_counter()
        estimate = training_spectrum(
            context.original,
            context.train_rows,
            context.train_config.l2,
            cfg.hessian == "exact",
            cfg.lanczos_steps,
            torch_generator(context.seed, "influence", "lanczos"),
            cfg.products == "closed_form",
        )
        damping = damping_from_spectrum(estimate, cfg.damping_margin, cfg.damping)
        logger.info(
            "%s: damping %.3g from the Hessian spectrum on D %s", self.name, damping, estimate
        )
        seconds = time.perf_counter() - start
        return DampingState(seconds=seconds, rule="lanczos", damping=damping, estimate=estimate)
