"""Solvers say (result flag and a warning) when they stop on the cap above tolerance."""

import logging

import pytest
import torch

from recunlearn.influence.solvers import ConjugateGradient, SolverSettings, make_solver


def ill_conditioned_system(size: int = 30) -> tuple[torch.Tensor, torch.Tensor]:
    """A symmetric positive definite matrix with eigenvalues from 1e-4 to 1, and b."""
    generator = torch.Generator().manual_seed(0)
    basis, _ = torch.linalg.qr(torch.randn(size, size, dtype=torch.float64, generator=generator))
    eigenvalues = torch.logspace(-4, 0, size, dtype=torch.float64)
    matrix = basis @ torch.diag(eigenvalues) @ basis.T
    return matrix, torch.randn(size, dtype=torch.float64, generator=generator)


@pytest.mark.parametrize("name", ["cg", "adam"])
def test_stopping_on_the_cap_above_tolerance_is_flagged_and_logged(name, caplog):
    matrix, rhs = ill_conditioned_system()
    solver = make_solver(
        SolverSettings(name=name, damping=0.0, tol=1e-10, max_iter=3, adam_lr=0.01)
    )
    with caplog.at_level(logging.WARNING, logger="recunlearn.influence.solvers"):
        result = solver.solve(lambda v: matrix @ v, rhs)
    assert result.iterations == 3 and result.relative_residual > 1e-10
    assert result.hit_cap and not result.converged
    assert "iteration cap" in caplog.text and "max_iter=3" in caplog.text


@pytest.mark.parametrize("name", ["cg", "direct"])
def test_a_converged_solve_is_not_flagged(name, caplog):
    matrix, rhs = ill_conditioned_system(size=8)
    matrix = matrix + torch.eye(8, dtype=torch.float64)  # well conditioned: CG converges
    solver = make_solver(
        SolverSettings(name=name, damping=0.0, tol=1e-8, max_iter=50, adam_lr=0.01)
    )
    with caplog.at_level(logging.WARNING, logger="recunlearn.influence.solvers"):
        result = solver.solve(lambda v: matrix @ v, rhs)
    torch.testing.assert_close(matrix @ result.solution, rhs, rtol=0, atol=1e-6)
    assert result.converged and not result.hit_cap
    assert caplog.text == ""


def test_negative_curvature_past_the_restarts_is_not_a_cap_stop(monkeypatch, caplog):
    monkeypatch.setattr(ConjugateGradient, "MAX_RESTARTS", 0)
    matrix = -torch.eye(4)
    result = make_solver(
        SolverSettings(name="cg", damping=0.0, tol=1e-8, max_iter=10, adam_lr=0.01)
    ).solve(lambda v: matrix @ v, torch.ones(4))
    assert result.iterations == 1 and not result.hit_cap and not result.converged
    assert "gave up after 0 restarts" in caplog.text
