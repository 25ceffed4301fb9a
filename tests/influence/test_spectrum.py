"""Oracles: the Lanczos estimate against torch.linalg.eigvalsh of explicit small Hessians."""

import pytest
import torch

from recunlearn.influence.curvature import training_spectrum
from recunlearn.influence.objective import EmbeddingObjective, Selection
from recunlearn.influence.spectrum import (
    SpectrumEstimate,
    damping_from_spectrum,
    lanczos_extremes,
)
from recunlearn.models import build_backbone

from ..conftest import backbone_config


def explicit_hessian(model, rows, l2):
    """The exact Hessian of the summed loss in every embedding, by autograd."""
    everything = Selection(torch.arange(model.n_users), torch.arange(model.n_items))
    objective = EmbeddingObjective(model, everything, l2)
    return torch.autograd.functional.hessian(objective.summed_loss(rows), objective.initial())


@pytest.fixture(params=["mf", "lightgcn"])
def untrained(request, interactions):
    """A random (far from converged) model: its exact Hessian is indefinite."""
    config = backbone_config(request.param, embedding_dim=2, init_std=1.0, n_layers=1)
    model = build_backbone(
        request.param, 24, 18, config, interactions, torch.Generator().manual_seed(4)
    )
    return model.double()


def test_full_lanczos_recovers_the_extreme_eigenvalues(interactions, untrained):
    hessian = explicit_hessian(untrained, interactions, 0.01)
    eigenvalues = torch.linalg.eigvalsh(hessian)
    assert eigenvalues[0] < -1e-3  # the case the damping rule exists for
    estimate = training_spectrum(
        untrained, interactions, 0.01, True, hessian.shape[0], torch.Generator().manual_seed(0)
    )
    assert estimate.lowest == pytest.approx(float(eigenvalues[0]), abs=1e-8)
    assert estimate.highest == pytest.approx(float(eigenvalues[-1]), rel=1e-8)


def test_a_short_run_brackets_the_lowest_eigenvalue_within_its_residual(interactions, untrained):
    """Ritz values never overshoot the spectrum; some eigenvalue lies within the residual
    of the lowest one; here (10 of 84 steps) theta - residual is already below lambda_min,
    so the damping rule makes H + damping I positive definite."""
    hessian = explicit_hessian(untrained, interactions, 0.01)
    eigenvalues = torch.linalg.eigvalsh(hessian)
    start = torch.randn(hessian.shape[0], generator=torch.Generator().manual_seed(1)).double()
    estimate = lanczos_extremes(lambda v: hessian @ v, start, 10)
    assert estimate.steps == 10
    assert float(eigenvalues[0]) - 1e-9 <= estimate.lowest < 0
    assert estimate.highest <= float(eigenvalues[-1]) + 1e-9
    assert float((eigenvalues - estimate.lowest).abs().min()) <= estimate.lowest_residual + 1e-9
    assert estimate.lowest - estimate.lowest_residual <= float(eigenvalues[0])
    damping = damping_from_spectrum(estimate, 0.1, 0.0)
    assert float(torch.linalg.eigvalsh(hessian + damping * torch.eye(len(hessian)))[0]) > 0


def test_an_invariant_start_stops_early_with_exact_values():
    """A start vector in a 2-dimensional invariant subspace: two steps, exact Ritz values."""
    matrix = torch.diag(torch.tensor([-2.0, 1.0, 3.0, 5.0], dtype=torch.float64))
    start = torch.tensor([1.0, 0.0, 1.0, 0.0], dtype=torch.float64)
    estimate = lanczos_extremes(lambda v: matrix @ v, start, 10)
    assert estimate.steps == 2
    assert estimate.lowest == pytest.approx(-2.0) and estimate.highest == pytest.approx(3.0)
    assert estimate.lowest_residual == pytest.approx(0.0, abs=1e-12)


def test_damping_rule_margin_and_floor():
    indefinite = SpectrumEstimate(lowest=-4.0, lowest_residual=0.5, highest=9.0, steps=30)
    assert damping_from_spectrum(indefinite, 0.1, 0.01) == pytest.approx(1.1 * 4.5)
    definite = SpectrumEstimate(lowest=2.0, lowest_residual=0.5, highest=9.0, steps=30)
    assert damping_from_spectrum(definite, 0.1, 0.01) == 0.01
