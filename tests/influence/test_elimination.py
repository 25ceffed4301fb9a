"""Oracles: CG on the Schur complement of MF's bipartite Hessian against explicit solves."""

import pytest
import torch

from recunlearn.influence.blocks import apply_blocks, inverse_blocks
from recunlearn.influence.curvature import hessian_operator
from recunlearn.influence.dot_product import RowCurvature
from recunlearn.influence.elimination import (
    BipartiteElimination,
    eliminated_side,
    pattern_halves,
)
from recunlearn.influence.objective import EmbeddingObjective, Selection
from recunlearn.influence.solvers import ConjugateGradient
from recunlearn.models import build_backbone

from ..conftest import backbone_config

USERS, ITEMS = [0, 3, 5, 11], [1, 2, 7, 9, 12]
N_USERS, DIM = 24, 3


def mf_system(interactions, selection, l2=0.05, init_std=0.5, exact=True, device="cpu"):
    """The closed-form curvature of a double MF, its explicit H and a right-hand side."""
    config = backbone_config("mf", embedding_dim=DIM, init_std=init_std)
    model = build_backbone(
        "mf", N_USERS, 18, config, interactions, torch.Generator().manual_seed(0)
    )
    objective = EmbeddingObjective(model.double().to(device), selection, l2)
    hvp, curvature = hessian_operator(objective, interactions, exact, closed_form=True)
    size = objective.initial().numel()
    eye = torch.eye(size, dtype=torch.float64, device=device)
    hessian = torch.stack([hvp(column) for column in eye], 1)
    rhs = torch.randn(size, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    return objective, curvature, hessian, rhs.to(device)


def damped_solve(hessian, rhs, damping):
    return torch.linalg.solve(hessian + damping * torch.eye(len(rhs), dtype=rhs.dtype), rhs)


def node_inverse(objective, interactions, damping):
    """Every node's (B_a + damping I)^-1 as ``prepare`` forms it (without the L2 term,
    which only the operator needs exactly)."""
    model = objective.model
    terms = RowCurvature.of(model, interactions, model.linear_propagation())
    penalty = torch.zeros(N_USERS + 18, device=terms.final.device)
    return inverse_blocks(terms.node_blocks(penalty), damping)


def test_the_halves_are_the_off_diagonal_blocks_of_the_row_pattern(interactions):
    _, curvature, _, _ = mf_system(interactions, Selection(torch.arange(3), torch.arange(2)))
    users, items = pattern_halves(curvature)
    whole = curvature.pattern.matrix(curvature.weight).to_dense()
    torch.testing.assert_close(users.matrix(users.weight).to_dense(), whole[:N_USERS, N_USERS:])
    torch.testing.assert_close(items.matrix(items.weight).to_dense(), whole[N_USERS:, :N_USERS])
    assert torch.equal(items.weight[users.twin], users.weight)  # a row's twin is the row
    assert torch.equal(items.residual[users.twin], users.residual)


@pytest.mark.parametrize("side", ["users", "items"])
@pytest.mark.parametrize("exact", [True, False])
@pytest.mark.parametrize("preconditioned", [True, False])
def test_reduced_cg_solves_the_whole_damped_system(
    interactions, torch_device, side, exact, preconditioned
):
    selection = Selection(torch.tensor(USERS), torch.tensor(ITEMS))
    objective, curvature, hessian, rhs = mf_system(
        interactions, selection, exact=exact, device=torch_device
    )
    damping = 2.0
    blocks = node_inverse(objective, interactions, damping) if preconditioned else None
    elimination = BipartiteElimination(curvature, exact, side, damping, None, blocks)
    result = ConjugateGradient(damping, 1e-10, 200).solve_system(elimination.systems(rhs))
    torch.testing.assert_close(result.solution, damped_solve(hessian, rhs, damping))
    whole = (hessian @ result.solution + damping * result.solution - rhs).norm() / rhs.norm()
    assert result.relative_residual <= 1e-10 and float(whole) <= 1e-9
    assert result.hvp_count == result.iterations + 1  # forming b~: one product


def test_reduced_cg_needs_about_half_the_iterations_of_block_jacobi_cg(interactions):
    """Block-Jacobi PCG sees 1 +- sigma, the reduced system 1 - sigma^2: one eigenvalue
    per pair (here 20 iterations against 10)."""
    selection = Selection(torch.tensor(USERS), torch.tensor(ITEMS))
    objective, curvature, hessian, rhs = mf_system(interactions, selection, 0.0, init_std=2.0)
    damping = 1.0
    blocks = node_inverse(objective, interactions, damping)
    nodes = torch.cat([objective.users, objective.items + N_USERS])
    whole = ConjugateGradient(damping, 1e-8, 200, apply_blocks(blocks, nodes))
    whole_result = whole.solve(lambda v: hessian @ v, rhs)
    elimination = BipartiteElimination(curvature, True, "users", damping, None, blocks)
    reduced = ConjugateGradient(damping, 1e-8, 200).solve_system(elimination.systems(rhs))
    assert reduced.restarts == whole_result.restarts == 0
    assert reduced.iterations <= 0.6 * whole_result.iterations, (
        reduced.iterations,
        whole_result.iterations,
    )
    torch.testing.assert_close(reduced.solution, whole_result.solution, atol=1e-6, rtol=1e-6)


def test_the_rayleigh_quotient_is_that_of_the_whole_direction(interactions):
    """p stands for z = (p, -D_E^-1 C_EK p), its shadow the second part:
    z^T (H + damping) z = p^T S p."""
    selection = Selection(torch.tensor(USERS), torch.tensor(ITEMS))
    _, curvature, hessian, rhs = mf_system(interactions, selection, 0.0)
    damping, n_user_values = 0.7, len(USERS) * DIM
    system = BipartiteElimination(curvature, True, "items", damping).system(rhs, damping)
    direction = torch.randn(n_user_values, generator=torch.Generator().manual_seed(3))
    direction = direction.double()
    damped = hessian + damping * torch.eye(len(rhs), dtype=rhs.dtype)
    items = slice(n_user_values, None)
    eliminated = -torch.linalg.solve(
        damped[items, items], damped[items, :n_user_values] @ direction
    )
    whole = torch.cat([direction, eliminated])
    product, shadow = system.operator(direction)
    torch.testing.assert_close(shadow, eliminated)
    curvature_of_s = float(direction.dot(product))
    assert curvature_of_s == pytest.approx(float(whole @ damped @ whole), rel=1e-10)
    expected = float(whole @ hessian @ whole / whole.dot(whole))
    quotient = system.rayleigh(direction, shadow, curvature_of_s)
    assert quotient == pytest.approx(expected, rel=1e-10)


def test_a_raised_damping_forms_the_eliminated_blocks_again(interactions):
    """No L2, far from a minimum: H is indefinite, CG restarts at a higher damping, and
    the eliminated side's prepared blocks (of the first damping) are not reused there."""
    selection = Selection(torch.tensor(USERS), torch.tensor(ITEMS))
    objective, curvature, hessian, rhs = mf_system(interactions, selection, 0.0)
    lowest = float(torch.linalg.eigvalsh(hessian)[0])
    assert lowest < -1.0
    damping = 0.1
    prepared = node_inverse(objective, interactions, damping)[:N_USERS]
    elimination = BipartiteElimination(curvature, True, "users", damping, prepared)
    result = ConjugateGradient(damping, 1e-10, 200).solve_system(elimination.systems(rhs))
    assert result.restarts >= 1 and result.damping > -lowest and result.converged
    torch.testing.assert_close(result.solution, damped_solve(hessian, rhs, result.damping))


def test_prepared_eliminated_blocks_are_used_at_their_damping(interactions):
    """The prepared blocks are the ones the curvature would form (same solution), and
    they are used: wrong ones at the same damping give a wrong solution."""
    selection = Selection(torch.tensor(USERS), torch.tensor(ITEMS))
    objective, curvature, hessian, rhs = mf_system(interactions, selection, 0.0, init_std=2.0)
    damping = 1.0
    prepared = node_inverse(objective, interactions, damping)[N_USERS:]
    for blocks, same in ((prepared, True), (prepared * 1.5, False)):
        elimination = BipartiteElimination(curvature, True, "items", damping, blocks)
        solution = ConjugateGradient(damping, 1e-10, 200).solve_system(elimination.systems(rhs))
        close = torch.allclose(solution.solution, damped_solve(hessian, rhs, damping))
        assert close == same


def test_a_selection_of_one_side_only_is_solved_without_iterating(interactions):
    """Nothing kept: x_E = D_E^-1 b_E, exact at once."""
    selection = Selection(torch.tensor(USERS), torch.tensor([], dtype=torch.long))
    _, curvature, hessian, rhs = mf_system(interactions, selection)
    elimination = BipartiteElimination(curvature, True, "users", 2.0)
    result = ConjugateGradient(2.0, 1e-10, 200).solve_system(elimination.systems(rhs))
    assert result.iterations == 0 and result.converged
    torch.testing.assert_close(result.solution, damped_solve(hessian, rhs, 2.0))


def test_the_side_eliminated_is_the_one_with_fewer_nodes():
    assert eliminated_side(943, 1682) == "users"
    assert eliminated_side(6040, 3706) == "items"
    assert eliminated_side(5, 5) == "users"
