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
lanczos`` the damping is minus a Lanczos estimate of the lowest eigenvalue of the
Hessian on D in all embeddings, plus a margin: it uses only D and the model, so
``ifru`` / ``scif`` compute it in ``prepare`` (before any request) and log it with the
estimate. The estimate is not a lower bound, so it does not make every restricted
Hessian positive definite for certain; CG raises the damping and restarts where it meets
non-positive curvature (logged, ``solve_damping`` and ``curvature_restarts``). Products are closed-form for MF and
LightGCN (:mod:`recunlearn.influence.dot_product`); CG can be preconditioned with the
per-user / per-item d x d Hessian blocks and, for MF, whose restricted Hessian is
bipartite, runs on the Schur complement of one side (``elimination``,
:mod:`recunlearn.influence.elimination`).

Everything a request needs that D and the model determine (damping, neighbourhoods and
degrees, per-row curvature, the preconditioner's blocks) is formed in ``prepare`` and kept
in an :class:`~recunlearn.unlearning.influence.prepared.InfluenceState`; a request does
its own pruning walk, gradient, solve and update, and forms only what its state lacks
(``unprepared_seconds``: all of it when called without a state). In a stream the next
request starts from the unlearned model (``continues_from_model``) on D - D_r, and the
state it gets keeps only what depends on neither (see
:meth:`~recunlearn.unlearning.influence.prepared.InfluenceState.carried`). The log splits
the time into unprepared parts, set-up (pruning, Hessian rows, spillover rows), gradient,
solve and update.
"""

from __future__ import annotations

import copy
import logging
import time
from abc import abstractmethod
from dataclasses import replace
from typing import Any

import numpy as np
import torch

from recunlearn.influence.blocks import apply_blocks
from recunlearn.influence.curvature import (
    HVP,
    hessian_operator,
    removed_gradient,
    training_spectrum,
)
from recunlearn.influence.dot_product import DotProductCurvature, RowCurvature
from recunlearn.influence.elimination import BipartiteElimination, Side, eliminated_side
from recunlearn.influence.neighbourhood import Neighbourhoods, expand
from recunlearn.influence.objective import EmbeddingObjective, LossTerm, Selection
from recunlearn.influence.solvers import (
    ConjugateGradient,
    InverseHVPSolver,
    Monitor,
    SolveResult,
    make_solver,
)
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
from recunlearn.unlearning.influence.prepared import InfluenceState
from recunlearn.unlearning.influence.prepared_blocks import propagates, with_blocks

logger = logging.getLogger(__name__)
FULL_TERMS_SHARE = 0.75
"""Share of D's rows above which a request's products run over all of D's terms."""


def hessian_row_mask(
    request: UnlearningRequest, selection: Selection, neighbourhoods: Neighbourhoods
) -> np.ndarray:
    """Which rows of D have a prediction that can depend on the selected embeddings."""
    model, train = request.original, request.train_rows
    n_users = model.n_users
    mask = np.zeros(n_users + model.n_items, dtype=bool)
    mask[selection.users.numpy()] = True
    mask[selection.items.numpy() + n_users] = True
    if model.graph_hops > 0:
        mask = expand(mask, neighbourhoods.graph, model.graph_hops)
    return mask[train["user"].to_numpy()] | mask[train["item"].to_numpy() + n_users]


def apply_update(
    objective: EmbeddingObjective, phi: torch.Tensor, request: UnlearningRequest
) -> Recommender:
    """A copy of the request's model with phi written back, predicting over the graph of
    D - D_r (backbones with a graph; the others have none to set)."""
    model = request.original
    unlearned = copy.deepcopy(model)
    users, items = objective.embeddings(phi.detach())
    with torch.no_grad():
        unlearned.user_embedding.copy_(users)
        unlearned.item_embedding.copy_(items)
    if type(model).graph_state is not Recommender.graph_state:
        device = model.user_embedding.device
        unlearned.set_graph(*(t.to(device) for t in positive_edges(request.retain_rows)))
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
    positive_neighbourhoods = True
    """Whether Algorithm 1's N_v are D's positive rows (IFRU's setting may say otherwise)."""

    @abstractmethod
    def select(self, request: UnlearningRequest, state: InfluenceState) -> Selection:
        """The users and items whose embeddings move."""

    @abstractmethod
    def removed_terms(
        self, request: UnlearningRequest, objective: EmbeddingObjective, state: InfluenceState
    ) -> tuple[list[LossTerm], dict[str, Any]]:
        """The loss whose gradient is b, as signed terms, and details for the log."""

    def prepare(self, context: PrepareContext) -> InfluenceState:
        """Everything a request needs from D and Original, formed when the model is
        learned (logged as ``prepare_seconds``, apart from the per-request ``seconds``)."""
        start = time.perf_counter()
        state = self.formed(None, context)
        return replace(state, seconds=time.perf_counter() - start)

    def formed(self, state: InfluenceState | None, context: PrepareContext) -> InfluenceState:
        """``state`` with every part it lacks formed on ``context``'s D and model."""
        rows, model, cfg = context.train_rows, context.original, self.config
        if state is None or state.n_rows != len(rows):  # parts of other rows: of no use
            state = InfluenceState(seconds=0.0, rule="fixed", damping=cfg.damping, n_rows=len(rows))
        if state.neighbourhoods is None:
            neighbourhoods = Neighbourhoods.of(
                rows, model.n_users, model.n_items, self.positive_neighbourhoods
            )
            state = replace(state, neighbourhoods=neighbourhoods)
        propagation = model.linear_propagation() if cfg.products == "closed_form" else None
        if state.curvature is None and propagation is not None:
            state = replace(state, curvature=RowCurvature.of(model, rows, propagation))
        if state.estimate is None and cfg.damping_rule == "lanczos":
            state = state.with_damping(self.estimate_damping(context, state.curvature))
        if state.curvature is not None:
            state = with_blocks(state, cfg, context)
        return state

    def unlearn(self, state: PreparedState | None, request: UnlearningRequest) -> UnlearningOutcome:
        clock = PhaseClock()
        model, cfg = request.original, self.config
        if request.forget_rows.empty:
            return UnlearningOutcome(
                copy.deepcopy(model), {"seconds": 0.0, "params_moved": 0, "hvp_count": 0}, state
            )
        given = None if state is None else self.prepared(state, InfluenceState)
        state = given
        if incomplete(given, len(request.train_rows)):
            state = self.formed(given, PrepareContext.of(request))
        clock.lap("unprepared")
        selection = self.select(request, state)
        objective = EmbeddingObjective(model, selection, request.train_config.l2)
        hvp, curvature, n_rows = self.curvature(request, state, objective)
        removed, details = self.removed_terms(request, objective, state)
        clock.lap("setup")
        rhs = removed_gradient(objective, removed, cfg.products == "closed_form")
        clock.lap("gradient")
        result, side = self.solve(request, objective, (hvp, curvature), state, rhs)
        clock.lap("solve")
        phi = objective.initial() + result.solution
        unlearned = apply_update(objective, phi, request)
        clock.lap("update")
        log = solve_log(cfg, result, curvature is not None, side) | clock.log() | details
        log |= self.damping_log(given, state, request) | {"hessian_rows": n_rows}
        log |= {"params_moved": selection.size(model.embedding_dim)}
        log |= {"users_moved": len(selection.users), "items_moved": len(selection.items)}
        return UnlearningOutcome(unlearned, log, state.carried())

    def curvature(
        self, request: UnlearningRequest, state: InfluenceState, objective: EmbeddingObjective
    ) -> tuple[HVP, DotProductCurvature | None, int]:
        """H's product restricted to phi over the Hessian rows, its closed form, and the
        row count. The prepared per-row terms are restricted to the Hessian rows unless
        these are most of D (``FULL_TERMS_SHARE``): the other rows add exact zeros to
        the product in phi (v and Pv vanish on them), and skipping the restriction saves
        a pass over D's pattern for a few more nonzeros per product."""
        cfg = self.config
        keep = hessian_row_mask(request, objective.selection, state.neighbourhoods)
        rows, terms = request.train_rows[keep], state.curvature
        if terms is not None and keep.mean() < FULL_TERMS_SHARE:
            terms = terms.restricted(torch.from_numpy(keep))
        exact, closed_form = cfg.hessian == "exact", cfg.products == "closed_form"
        hvp, curvature = hessian_operator(objective, rows, exact, closed_form, terms)
        return hvp, curvature, len(rows)

    def damping_log(
        self, given: InfluenceState | None, state: InfluenceState, request: UnlearningRequest
    ) -> dict[str, Any]:
        """The damping, its rule and spectrum, whether it was prepared (and then the
        preparation's seconds)."""
        prepared = given is not None and given.n_rows == len(request.train_rows)
        log = state.log() | {"damping_prepared": prepared}
        if prepared:
            log["prepare_seconds"] = given.seconds
        return log

    def solve(
        self,
        request: UnlearningRequest,
        objective: EmbeddingObjective,
        products: tuple[HVP, DotProductCurvature | None],
        state: InfluenceState,
        rhs: torch.Tensor,
    ) -> tuple[SolveResult, Side | None]:
        """(H + damping I) x = ``rhs`` by the configured solver, and the side eliminated:
        CG on a Schur complement where the config and the backbone allow it
        (``elimination``), else on the whole system (``products``: H's product and its
        closed form)."""
        hvp, curvature = products
        model = objective.model
        if curvature is None or not self.config.eliminates(True, propagates(model)):
            return self.solver(request, objective, curvature, state).solve(hvp, rhs), None
        side = eliminated_side(model.n_users, model.n_items)
        elimination = BipartiteElimination(
            curvature,
            self.config.hessian == "exact",
            side,
            state.damping,
            state.eliminated_blocks,
            state.inverse_blocks,
        )
        solver = ConjugateGradient.from_settings(
            self.config.solver_settings(state.damping), None, None
        )
        return solver.solve_system(elimination.systems(rhs)), side

    def solver(
        self,
        request: UnlearningRequest,
        objective: EmbeddingObjective,
        curvature: DotProductCurvature | None,
        state: InfluenceState,
    ) -> InverseHVPSolver:
        """The configured solver; CG gets the block-Jacobi preconditioner where it exists
        (the prepared blocks of the selected embeddings)."""
        cfg = self.config
        monitor = validation_monitor(request, objective) if cfg.select_on_validation else None
        preconditioner = None
        if curvature is not None and state.inverse_blocks is not None:
            nodes = torch.cat([objective.users, objective.items + objective.model.n_users])
            preconditioner = apply_blocks(state.inverse_blocks, nodes)
        return make_solver(cfg.solver_settings(state.damping), monitor, preconditioner)

    def estimate_damping(
        self, context: PrepareContext, terms: RowCurvature | None = None
    ) -> DampingState:
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
            terms,
        )
        damping = damping_from_spectrum(estimate, cfg.damping_margin, cfg.damping)
        logger.info(
            "%s: damping %.3g from the Hessian spectrum on D %s", self.name, damping, estimate
        )
        seconds = time.perf_counter() - start
        return DampingState(seconds=seconds, rule="lanczos", damping=damping, estimate=estimate)


def incomplete(state: InfluenceState | None, n_rows: int) -> bool:
    """Whether ``state`` lacks a part a request on ``n_rows`` rows may need (the request
    forms it in its call then)."""
    return state is None or state.neighbourhoods is None or state.n_rows != n_rows
