"""Inverse Hessian-vector product solvers: x = (H + damping I)^-1 b.

Each solver sees H only through a product ``hvp(v)``, and stops on a residual
tolerance or an iteration cap, never on validation or test metrics.

- ``cg``: conjugate gradient (default), optionally preconditioned (block-Jacobi in the
  influence methods); H + damping I must be positive definite. On a direction p of
  non-positive curvature, p^T (H + damping) p <= 0, it logs it (INFO: info.log, not the
  console, which a stream of requests would flood; a WARNING only when it gives up), raises the
  damping to at least twice its value and twice -q (q = p^T H p / p^T p >= lambda_min,
  so H + damping I is indefinite while damping <= -q) and restarts from zero; the
  result says how often (``restarts``) and with which damping it ended.
- ``adam``: the IFRU paper's solver: minimise 1/2 t^T (H + damping) t - t^T b with
  Adam, whose gradient is the residual (H + damping) t - b. Optionally (off by
  default) a ``monitor`` scores the iterate every ``monitor_every`` steps and the
  best-scoring one is returned: the published IFRU code keeps the iterate with the
  best validation AUC. That choice uses held-out data, so its result says which
  iterate it kept (``selected_iteration``) and callers must label it.
- ``direct``: builds H column by column from HVPs and solves with
  ``torch.linalg.solve`` (the paper's "w/o HVP" variant; small parameter sets only).

A solver that stops on its cap above the tolerance logs a warning and says so in its
result (``hit_cap``), so the log and the report can flag an update that did not converge.
"""

from __future__ import annotations

import dataclasses
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import torch

from recunlearn.errors import ParameterError
from recunlearn.influence.damped_system import DampedSystem, PositivePreconditioner
from recunlearn.influence.solver_settings import SolverName, SolverSettings
from recunlearn.progress import progress_bar

HVP = Callable[[torch.Tensor], torch.Tensor]
Monitor = Callable[[torch.Tensor], float]
"""Scores an iterate (higher is better); used only by the opt-in validation selection."""

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SolveResult:
    solution: torch.Tensor
    iterations: int
    hvp_count: int
    relative_residual: float
    """||(H + damping) x - b|| / ||b|| (of the last iterate computed)."""
    selected_iteration: int | None = None
    """The Adam step whose iterate a monitor selected; None when no monitor chose."""
    converged: bool = True
    """The relative residual is at or below the solver's tolerance."""
    hit_cap: bool = False
    """The solver stopped on its iteration cap with the residual above the tolerance."""
    damping: float | None = None  # of the solve returned (CG raises it on negative curvature)
    restarts: int = 0  # how often CG met non-positive curvature and restarted


class InverseHVPSolver(ABC):
    takes_preconditioner: ClassVar[bool] = False
    """Whether a preconditioner changes what the solver does (CG)."""
    selects_iterates: ClassVar[bool] = False
    """Whether the solver can return the iterate a monitor scores best (Adam)."""

    @classmethod
    def from_settings(
        cls, settings: SolverSettings, monitor: Monitor | None, preconditioner: HVP | None
    ) -> InverseHVPSolver:
        """The solver with ``settings``; the base solvers take neither extra."""
        return cls(settings.damping, settings.tol, settings.max_iter)

    def __init__(self, damping: float = 0.0, tol: float = 1e-6, max_iter: int = 100) -> None:
        self.damping, self.tol, self.max_iter = damping, tol, max_iter

    def operator(self, hvp: HVP) -> HVP:
        return lambda v: hvp(v) + self.damping * v

    warns_on_cap: ClassVar[bool] = True
    """Whether stopping on the iteration cap above ``tol`` is a failure worth a warning
    (an influence update that did not converge), not a truncation by design."""

    def checked(self, result: SolveResult, stopped_on_cap: bool) -> SolveResult:
        """``result`` with its convergence flags set; a warning when the cap stopped it."""
        converged = result.relative_residual <= self.tol
        hit_cap = stopped_on_cap and not converged
        if hit_cap and self.warns_on_cap:
            logger.warning(
                "%s stopped at its iteration cap (max_iter=%d) with relative residual "
                "%.3g above tol=%.3g: the influence update did not converge",
                type(self).__name__,
                self.max_iter,
                result.relative_residual,
                self.tol,
            )
        return dataclasses.replace(result, converged=converged, hit_cap=hit_cap)

    @abstractmethod
    def solve(self, hvp: HVP, rhs: torch.Tensor) -> SolveResult:
        """Solve (H + damping I) x = rhs."""


class ConjugateGradient(InverseHVPSolver):
    """CG, preconditioned when given ``preconditioner``: r -> M^-1 r for a symmetric
    positive-definite M close to H + damping (Saad, Iterative Methods, Alg. 9.1); the
    stopping test is on the unpreconditioned residual either way."""

    def __init__(
        self,
        damping: float = 0.0,
        tol: float = 1e-6,
        max_iter: int = 100,
        preconditioner: HVP | None = None,
    ) -> None:
        super().__init__(damping, tol, max_iter)
        self.preconditioner = preconditioner

    takes_preconditioner = True

    @classmethod
    def from_settings(
        cls, settings: SolverSettings, monitor: Monitor | None, preconditioner: HVP | None
    ) -> ConjugateGradient:
        return cls(settings.damping, settings.tol, settings.max_iter, preconditioner)

    MAX_RESTARTS: ClassVar[int] = 30  # the damping at least doubles at each restart

    def solve(self, hvp: HVP, rhs: torch.Tensor) -> SolveResult:
        return self.solve_system(
            lambda damping: DampedSystem.plain(hvp, rhs, damping, self.preconditioner)
        )

    def solve_system(self, system_at: Callable[[float], DampedSystem]) -> SolveResult:
        """CG on ``system_at(damping)``, the system (H + damping I) x = b or one it reduces
        to, starting at this solver's damping and raised on non-positive curvature."""
        damping, products = self.damping, 0
        for restart in range(self.MAX_RESTARTS + 1):
            result, rayleigh = self._solve_damped(system_at(damping))
            products += result.hvp_count
            result = dataclasses.replace(
                result, hvp_count=products, damping=damping, restarts=restart
            )
            if rayleigh is None or restart == self.MAX_RESTARTS:
                break
            raised = max(2.0 * damping, -2.0 * rayleigh, 1e-8)
            logger.info(
                "CG met non-positive curvature (Rayleigh quotient %.3g of H, damping %.3g): "
                "damping raised to %.3g, restarting",
                rayleigh,
                damping,
                raised,
            )
            damping = raised
        if rayleigh is not None:
            logger.warning("CG gave up after %d restarts on negative curvature", restart)
        on_cap = result.iterations >= self.max_iter and rayleigh is None
        return self.checked(result, stopped_on_cap=on_cap)

    def _solve_damped(self, system: DampedSystem) -> tuple[SolveResult, float | None]:
        """CG on ``system``, and the Rayleigh quotient of H of a direction of non-positive
        curvature where it stopped on one (else ``None``)."""
        norm_b, x, residual = system.reference, torch.zeros_like(system.rhs), system.rhs.clone()
        shadow = x.new_zeros(system.shadow_size)
        if norm_b == 0.0 or float(residual.norm()) <= self.tol * norm_b:
            return self._solved_at_start(system, x, shadow), None
        precondition = PositivePreconditioner(system.preconditioner)
        preconditioned, rs_old = precondition(residual)
        direction = preconditioned
        iterations, rayleigh = 0, None
        bar = progress_bar(self.max_iter, "CG products")
        while iterations < self.max_iter:
            iterations += 1
            bar.update(1)
            product, moved = system.operator(direction)
            curvature = direction.dot(product)
            if float(curvature) <= 0.0:
                rayleigh = system.rayleigh(direction, moved, float(curvature))
                break
            step = rs_old / curvature
            x = x + step * direction
            shadow = shadow + step * moved
            residual = residual - step * product
            if float(residual.norm()) <= self.tol * norm_b:
                break
            preconditioned, rs_new = precondition(residual)
            beta = 0.0 if precondition.dropped_now else rs_new / rs_old  # dropped: restart
            direction = preconditioned + beta * direction
            rs_old = rs_new
        bar.close()
        products = iterations + system.extra_products
        relative = float(residual.norm()) / norm_b
        return SolveResult(system.solution(x, shadow), iterations, products, relative), rayleigh

    @staticmethod
    def _solved_at_start(
        system: DampedSystem, x: torch.Tensor, shadow: torch.Tensor
    ) -> SolveResult:
        """The zero iterate's result where it already meets the tolerance: b = 0, or a
        reduced system whose right-hand side is small (nothing kept to iterate on)."""
        if system.reference == 0.0:
            return SolveResult(system.solution(x, shadow), 0, 0, 0.0)
        relative = float(system.rhs.norm()) / system.reference
        return SolveResult(system.solution(x, shadow), 0, system.extra_products, relative)


class AdamSolver(InverseHVPSolver):
    def __init__(
        self,
        damping: float = 0.0,
        tol: float = 1e-6,
        max_iter: int = 100,
        lr: float = 1e-2,
        monitor: Monitor | None = None,
        monitor_every: int = 10,
    ) -> None:
        super().__init__(damping, tol, max_iter)
        self.lr, self.monitor, self.monitor_every = lr, monitor, monitor_every

    selects_iterates = True

    @classmethod
    def from_settings(
        cls, settings: SolverSettings, monitor: Monitor | None, preconditioner: HVP | None
    ) -> AdamSolver:
        s = settings
        return cls(s.damping, s.tol, s.max_iter, s.adam_lr, monitor, s.monitor_every)

    def solve(self, hvp: HVP, rhs: torch.Tensor) -> SolveResult:
        apply = self.operator(hvp)
        norm_b = float(rhs.norm())
        t = torch.zeros_like(rhs, requires_grad=True)
        if norm_b == 0.0:
            return SolveResult(t.detach(), 0, 0, 0.0)
        optimizer = torch.optim.Adam([t], lr=self.lr)
        best = _BestIterate(self.monitor)
        steps, products = 0, 0
        while True:
            residual = apply(t.detach()) - rhs  # the gradient of the quadratic
            products += 1
            done = float(residual.norm()) <= self.tol * norm_b or steps >= self.max_iter
            if done or steps % self.monitor_every == 0:
                best.offer(t.detach(), steps)
            if done:
                break
            t.grad = residual.clone()
            optimizer.step()
            steps += 1
        solution = best.iterate if self.monitor is not None else t.detach()
        result = SolveResult(solution, steps, products, float(residual.norm()) / norm_b, best.step)
        return self.checked(result, stopped_on_cap=steps >= self.max_iter)


class _BestIterate:
    """Keeps the iterate a monitor scores highest (the first one on ties)."""

    def __init__(self, monitor: Monitor | None) -> None:
        self.monitor, self.score = monitor, float("-inf")
        self.iterate: torch.Tensor | None = None
        self.step: int | None = None

    def offer(self, iterate: torch.Tensor, step: int) -> None:
        if self.monitor is None:
            return
        score = self.monitor(iterate)
        if score > self.score or self.iterate is None:
            self.score, self.iterate, self.step = score, iterate.clone(), step


class DirectSolver(InverseHVPSolver):
    """Explicit Hessian from ``p`` HVPs, then a dense solve (``max_params`` guards the size)."""

    def __init__(
        self, damping: float = 0.0, tol: float = 1e-6, max_iter: int = 100, max_params: int = 4096
    ) -> None:
        super().__init__(damping, tol, max_iter)
        self.max_params = max_params

    def solve(self, hvp: HVP, rhs: torch.Tensor) -> SolveResult:
        size = rhs.numel()
        if size > self.max_params:
            raise ParameterError(
                f"solver 'direct' materialises a {size}x{size} Hessian, above max_params="
                f"{self.max_params}; use 'cg' or raise the limit"
            )
        apply = self.operator(hvp)
        basis = torch.eye(size, dtype=rhs.dtype, device=rhs.device)
        hessian = torch.stack([apply(column) for column in basis], dim=1)
        solution = torch.linalg.solve(hessian, rhs)
        norm_b = float(rhs.norm()) or 1.0
        residual = float((hessian @ solution - rhs).norm()) / norm_b
        return self.checked(SolveResult(solution, 1, size, residual), stopped_on_cap=False)


SOLVERS: dict[SolverName, type[InverseHVPSolver]] = {
    "cg": ConjugateGradient,
    "adam": AdamSolver,
    "direct": DirectSolver,
}
"""One entry per name of :data:`SolverName` (a test checks they agree, and that
:data:`~recunlearn.influence.solver_settings.ITERATE_SELECTING_SOLVERS` are the ones
whose class ``selects_iterates``)."""


def make_solver(
    settings: SolverSettings, monitor: Monitor | None = None, preconditioner: HVP | None = None
) -> InverseHVPSolver:
    """The solver ``settings.name`` with its settings (``monitor``: the solvers that
    select iterates, Adam; ``preconditioner``: the preconditioned ones, CG)."""
    kind = SOLVERS.get(settings.name)
    if kind is None:
        raise ParameterError(
            f"unknown inverse-HVP solver {settings.name!r}; choose one of {sorted(SOLVERS)}"
        )
    if monitor is not None and not kind.selects_iterates:
        raise ParameterError(
            f"solver {settings.name!r} cannot select iterates by a monitor; use 'adam'"
        )
    return kind.from_settings(settings, monitor, preconditioner)
