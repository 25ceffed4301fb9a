"""The extreme eigenvalues of a symmetric operator seen only through products (Lanczos).

Influence methods need H + damping I positive definite, and the exact Hessian of an
early-stopped model is not. :func:`lanczos_extremes` estimates H's lowest (and highest)
eigenvalue from ``steps`` products (Lanczos, 1950; with full reorthogonalisation, as in
Golub & Van Loan, Matrix Computations, Sec. 10.1), and :func:`damping_from_spectrum`
turns the estimate into a damping, plus a margin.

What the estimate guarantees, and what it does not: the lowest Ritz value theta of the
Lanczos tridiagonal T_k is never below H's lowest eigenvalue, and *some* eigenvalue of H
lies within its residual rho = ||H y - theta y|| = |beta_k s_k| of theta (the residual
bound of symmetric matrices; Parlett, The Symmetric Eigenvalue Problem). That
eigenvalue need not be the lowest: a part of the spectrum the Krylov space has not
reached can lie below theta - rho, so theta - rho is an estimate of lambda_min, not a
lower bound, and the damping it gives does not make H + damping I positive definite
for certain. The guarantee is the solver's: CG detects a direction of non-positive
curvature, raises the damping and restarts (:mod:`recunlearn.influence.solvers`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class SpectrumEstimate:
    """Ritz values at the two ends of the spectrum after ``steps`` Lanczos steps."""

    lowest: float
    """The smallest Ritz value (>= the lowest eigenvalue)."""
    lowest_residual: float
    """||H y - lowest y|| of its Ritz vector y: an eigenvalue lies within it."""
    highest: float
    """The largest Ritz value (<= the highest eigenvalue)."""
    steps: int
    """Products used (fewer than asked when the Krylov space is exhausted)."""


def lanczos_extremes(
    product: Callable[[torch.Tensor], torch.Tensor],
    start: torch.Tensor,
    steps: int,
) -> SpectrumEstimate:
    """Lanczos with full reorthogonalisation from ``start`` for at most ``steps`` products.

    Args:
        product: v -> H v for a symmetric H.
        start: the first Krylov vector (any nonzero vector; drawn by the caller's seed).
        steps: the maximum number of products.
    """
    basis = [start / start.norm()]
    alphas: list[float] = []
    betas: list[float] = []
    for _ in range(min(steps, start.numel())):
        image = product(basis[-1])
        alphas.append(float(basis[-1] @ image))
        stacked = torch.stack(basis)
        for _ in range(2):  # twice is enough (Giraud et al., 2005)
            image = image - stacked.T @ (stacked @ image)
        beta = float(image.norm())
        if beta <= 1e-10 * max(abs(a) for a in alphas):
            betas.append(0.0)
            break
        betas.append(beta)
        basis.append(image / beta)
    return _ritz_extremes(alphas, betas)


def _ritz_extremes(alphas: list[float], betas: list[float]) -> SpectrumEstimate:
    """Eigenvalues of the Lanczos tridiagonal and the residual of the lowest one."""
    size = len(alphas)
    tridiagonal = torch.diag(torch.tensor(alphas, dtype=torch.float64))
    off = torch.tensor(betas[: size - 1], dtype=torch.float64)
    tridiagonal += torch.diag(off, 1) + torch.diag(off, -1)
    values, vectors = torch.linalg.eigh(tridiagonal)
    residual = abs(betas[size - 1] * float(vectors[size - 1, 0]))
    return SpectrumEstimate(float(values[0]), residual, float(values[-1]), size)


def damping_from_spectrum(estimate: SpectrumEstimate, margin: float, floor: float) -> float:
    """The damping that makes H + damping I positive definite if theta - rho is H's
    lowest eigenvalue (an estimate: see the module's docstring), with a margin.

    ``(1 + margin) * max(0, -(lowest - residual))``, and at least ``floor``.
    """
    return max(floor, (1.0 + margin) * max(0.0, estimate.lowest_residual - estimate.lowest))
