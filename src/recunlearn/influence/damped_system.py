"""A damped linear system as conjugate gradient iterates on it.

CG solves (H + damping I) x = b either on that system itself (:meth:`DampedSystem.plain`)
or on a smaller one it reduces to (a Schur complement,
:mod:`recunlearn.influence.elimination`). Either way CG needs the same few things: the
matrix it iterates with, its right-hand side, the norm it stops against (that of the
full b), a preconditioner, the Rayleigh quotient of H on the full direction a direction
of non-positive curvature stands for (to raise the damping), and the full solution from
its iterate. A system is built per damping, because a reduced system's matrix depends on
the damping through the blocks it eliminates.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import torch

HVP = Callable[[torch.Tensor], torch.Tensor]
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DampedSystem:
    """What CG iterates on for one damping.

    A reduced system iterates on part of the unknowns; each of its directions p stands
    for a whole direction z = (p, shadow) whose other part, the ``shadow``, its operator
    returns with the product (empty for a whole system). CG accumulates the shadows as
    it accumulates x, which gives the other part of the solution without another
    product, and the Rayleigh quotient of z: z^T (H + damping) z = p^T A p.

    Attributes:
        operator: v -> (the system's symmetric matrix times v, damping included; v's
            shadow).
        rhs: the system's right-hand side.
        reference: ||b|| of the full system; CG stops once the residual is at most
            ``tol`` times it (a reduced system's residual equals the full one's).
        preconditioner: r -> M^-1 r for a symmetric positive-definite M, or None.
        damping: the damping the operator includes.
        solution: (the iterate, its accumulated shadow) -> the full system's solution.
        shadow_size: the length of a shadow (0: a whole system).
        extra_products: product-equivalents the system costs beyond one per CG
            iteration (forming a reduced right-hand side).
    """

    operator: Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]]
    rhs: torch.Tensor
    reference: float
    preconditioner: HVP | None
    damping: float
    solution: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    shadow_size: int = 0
    extra_products: int = 0

    @classmethod
    def plain(
        cls, hvp: HVP, rhs: torch.Tensor, damping: float, preconditioner: HVP | None
    ) -> DampedSystem:
        """(H + damping I) x = rhs itself, with ``hvp``: v -> H v."""
        none = rhs.new_zeros(0)
        return cls(
            operator=lambda v: (hvp(v) + damping * v, none),
            rhs=rhs,
            reference=float(rhs.norm()),
            preconditioner=preconditioner,
            damping=damping,
            solution=lambda x, shadow: x,
        )

    def rayleigh(self, direction: torch.Tensor, shadow: torch.Tensor, curvature: float) -> float:
        """The Rayleigh quotient of H (without the damping) of the whole direction
        (``direction``, ``shadow``) whose curvature z^T (H + damping) z is ``curvature``."""
        norm = float(direction.dot(direction) + shadow.dot(shadow))
        return curvature / norm - self.damping


class PositivePreconditioner:
    """r -> (M^-1 r, r . M^-1 r) for CG, and plain r once M^-1 is not positive on a
    residual (a preconditioner stored in bfloat16 may not be, in principle): dropped for
    the rest of the solve, logged; ``dropped_now`` says it happened on this call."""

    def __init__(self, preconditioner: HVP | None) -> None:
        self.preconditioner, self.dropped_now = preconditioner, False

    def __call__(self, residual: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        self.dropped_now = False
        if self.preconditioner is not None:
            preconditioned = self.preconditioner(residual)
            product = residual.dot(preconditioned)
            if float(product) > 0.0:
                return preconditioned, product
            logger.info("CG: the preconditioner is not positive on the residual, dropped")
            self.preconditioner, self.dropped_now = None, True
        return residual, residual.dot(residual)
