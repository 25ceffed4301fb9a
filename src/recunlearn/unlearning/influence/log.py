"""What an influence method logs: its solve and its time per phase."""

from __future__ import annotations

import time
from typing import Any

from recunlearn.influence.solvers import SolveResult
from recunlearn.unlearning.influence.config import SolverConfig


def solve_log(
    cfg: SolverConfig, result: SolveResult, closed_form: bool, eliminated: str | None = None
) -> dict[str, Any]:
    """What the solve did, for the method's log (``eliminated``: the side CG eliminated,
    None where it solved the whole system)."""
    return {
        "solver": cfg.solver,
        "hessian": cfg.hessian,
        "products": "closed_form" if closed_form else "autograd",
        "preconditioned": cfg.preconditioned(closed_form),
        "eliminated": eliminated,
        "iterations": result.iterations,
        "hvp_count": result.hvp_count,
        "relative_residual": result.relative_residual,
        "converged": result.converged,
        "hit_cap": result.hit_cap,
        "solve_damping": result.damping,
        "curvature_restarts": result.restarts,
        "selected_on_validation": cfg.select_on_validation,
        "selected_iteration": result.selected_iteration,
    }


class PhaseClock:
    """Wall time per named phase, ``<phase>_seconds``, and their total ``seconds``.

    Influence methods time ``unprepared`` (forming what their prepared state lacks:
    near zero when prepared), ``setup`` (selection and pruning, Hessian rows, spillover
    rows, restricting the curvature), ``gradient``, ``solve`` and ``update``.
    """

    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.phases: dict[str, float] = {}

    def lap(self, phase: str) -> None:
        """Close ``phase`` now."""
        now = time.perf_counter()
        self.phases[f"{phase}_seconds"] = now - self.last
        self.last = now

    def log(self) -> dict[str, float]:
        """The phases' seconds and their total."""
        return {**self.phases, "seconds": self.last - self.start}
