"""Inverse Hessian-vector product solvers: x = (H + damping I)^-1 b.

Each solver sees H only through a product ``hvp(v)``, and stops on a residual
tolerance or an iteration cap, never on validation or test metrics.

- ``cg``: conjugate gradient (default); H must be positive definite, which the
  damping term helps ensure. On a direction of non-positive curvature it stops and
  returns the iterate so far (truncated CG); the residual in the log shows it.
- ``adam``: the IFRU paper's solver: minimise 1/2 t^T (H + damping) t - t^T b with
  Adam, whose gradient is the residual (H + damping) t - b.
- ``direct``: builds H column by column from HVPs and solves with
  ``torch.linalg.solve`` (the paper's "w/o HVP" variant; small parameter sets only).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

import torch

from recunlearn.errors import ParameterError

HVP = Callable[[torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class SolveResult:
    solution: torch.Tensor
    iterations: int
    hvp_count: int
    relative_residual: float
    """||(H + damping) x - b|| / ||b||."""


class InverseHVPSolver(ABC):
    def __init__(self, damping: float = 0.0, tol: float = 1e-6, max_iter: int = 100) -> None:
        self.damping, self.tol, self.max_iter = damping, tol, max_iter

    def operator(self, hvp: HVP) -> HVP:
        return lambda v: hvp(v) + self.damping * v

    @abstractmethod
    def solve(self, hvp: HVP, rhs: torch.Tensor) -> SolveResult:
        """Solve (H + damping I) x = rhs."""


class ConjugateGradient(InverseHVPSolver):
    def solve(self, hvp: HVP, rhs: torch.Tensor) -> SolveResult:
        apply = self.operator(hvp)
        norm_b = float(rhs.norm())
        x = torch.zeros_like(rhs)
        if norm_b == 0.0:
            return SolveResult(x, 0, 0, 0.0)
        residual = rhs.clone()
        direction = residual.clone()
        rs_old = residual.dot(residual)
        iterations = 0
        while iterations < self.max_iter:
            iterations += 1
            product = apply(direction)
            curvature = direction.dot(product)
            if float(curvature) <= 0.0:
                break  # negative curvature: H + damping is not positive definite here
            step = rs_old / curvature
            x = x + step * direction
            residual = residual - step * product
            rs_new = residual.dot(residual)
            if float(rs_new.sqrt()) <= self.tol * norm_b:
                break
            direction = residual + (rs_new / rs_old) * direction
            rs_old = rs_new
        return SolveResult(x, iterations, iterations, float(residual.norm()) / norm_b)


class AdamSolver(InverseHVPSolver):
    def __init__(
        self, damping: float = 0.0, tol: float = 1e-6, max_iter: int = 100, lr: float = 1e-2
    ) -> None:
        super().__init__(damping, tol, max_iter)
        self.lr = lr

    def solve(self, hvp: HVP, rhs: torch.Tensor) -> SolveResult:
        apply = self.operator(hvp)
        norm_b = float(rhs.norm())
        t = torch.zeros_like(rhs, requires_grad=True)
        if norm_b == 0.0:
            return SolveResult(t.detach(), 0, 0, 0.0)
        optimizer = torch.optim.Adam([t], lr=self.lr)
        steps, products = 0, 0
        while True:
            residual = apply(t.detach()) - rhs  # the gradient of the quadratic
            products += 1
            if float(residual.norm()) <= self.tol * norm_b or steps >= self.max_iter:
                break
            t.grad = residual.clone()
            optimizer.step()
            steps += 1
        return SolveResult(t.detach(), steps, products, float(residual.norm()) / norm_b)


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
        return SolveResult(solution, 1, size, residual)


SOLVERS: dict[str, type[InverseHVPSolver]] = {
    "cg": ConjugateGradient,
    "adam": AdamSolver,
    "direct": DirectSolver,
}


def make_solver(
    name: str, damping: float, tol: float, max_iter: int, adam_lr: float
) -> InverseHVPSolver:
    """The solver called ``name`` with its settings."""
    if name not in SOLVERS:
        raise ParameterError(
            f"unknown inverse-HVP solver {name!r}; choose one of {sorted(SOLVERS)}"
        )
    if name == "adam":
        return AdamSolver(damping, tol, max_iter, lr=adam_lr)
    return SOLVERS[name](damping, tol, max_iter)
