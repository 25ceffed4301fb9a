"""Oracles: HVPs against an explicit Hessian; every solver against torch.linalg.solve."""

import pytest
import torch

from recunlearn.influence.blocks import (
    apply_blocks,
    bfloat16_blocks_are_fast,
    block_jacobi,
    inverse_blocks,
)
from recunlearn.influence.objective import EmbeddingObjective, Selection
from recunlearn.influence.solvers import SOLVERS, SolverSettings, make_solver
from recunlearn.models import BACKBONES, build_backbone

from ..conftest import backbone_config

ATOL, RTOL = 1e-8, 1e-6
PER_ROW = sorted(n for n, cls in BACKBONES.items() if cls.training_loss == "per_row_bce")
"""Backbones with a per-row loss, the loss influence objectives differentiate."""


def small_model(name, interactions, seed=0):
    model = build_backbone(
        name,
        24,
        18,
        backbone_config(name, embedding_dim=3, init_std=0.3, n_layers=1),
        interactions,
        torch.Generator().manual_seed(seed),
    )
    return model.double()


@pytest.mark.parametrize("name", PER_ROW)
def test_hvp_equals_explicit_hessian_times_v(interactions, name):
    model = small_model(name, interactions)
    selection = Selection(torch.tensor([0, 3, 5]), torch.tensor([1, 2]))
    objective = EmbeddingObjective(model, selection, l2=0.01)
    loss = objective.summed_loss(interactions)
    phi = objective.initial()
    hessian = torch.autograd.functional.hessian(loss, phi)
    hvp = objective.hessian_vector_product(loss, scale=1.0)
    for seed in range(3):
        v = torch.randn(phi.shape, generator=torch.Generator().manual_seed(seed), dtype=phi.dtype)
        torch.testing.assert_close(hvp(v), hessian @ v, atol=ATOL, rtol=RTOL)


def test_embeddings_write_phi_into_selected_rows_only(interactions):
    model = small_model("mf", interactions)
    objective = EmbeddingObjective(model, Selection(torch.tensor([2]), torch.tensor([4])), l2=0.0)
    users, items = objective.embeddings(torch.zeros(6, dtype=torch.float64))
    assert users[2].abs().sum() == 0 and items[4].abs().sum() == 0
    torch.testing.assert_close(users[0], model.user_embedding[0].detach())


def spd_system(size=12, seed=0):
    generator = torch.Generator().manual_seed(seed)
    factor = torch.randn(size, size, generator=generator, dtype=torch.float64)
    matrix = factor @ factor.T + 0.5 * torch.eye(size, dtype=torch.float64)
    return matrix, torch.randn(size, generator=generator, dtype=torch.float64)


@pytest.mark.parametrize("name", sorted(SOLVERS))
@pytest.mark.parametrize("damping", [0.0, 0.3])
def test_solver_matches_linalg_solve(name, damping):
    matrix, rhs = spd_system()
    solver = make_solver(
        SolverSettings(name=name, damping=damping, tol=1e-10, max_iter=20_000, adam_lr=0.05)
    )
    result = solver.solve(lambda v: matrix @ v, rhs)
    expected = torch.linalg.solve(matrix + damping * torch.eye(len(rhs), dtype=rhs.dtype), rhs)
    tolerance = 1e-6 if name != "adam" else 1e-4
    torch.testing.assert_close(result.solution, expected, atol=tolerance, rtol=tolerance)
    assert result.relative_residual <= 1e-5 if name != "adam" else result.relative_residual <= 1e-3


def test_solvers_stop_at_the_iteration_cap():
    matrix, rhs = spd_system(40)
    result = make_solver(
        SolverSettings(name="cg", damping=0.0, tol=1e-14, max_iter=3, adam_lr=0.01)
    ).solve(lambda v: matrix @ v, rhs)
    assert result.iterations == 3 and result.relative_residual > 1e-14


def test_zero_rhs_gives_zero_solution():
    matrix, rhs = spd_system()
    for name in SOLVERS:
        result = make_solver(
            SolverSettings(name=name, damping=0.0, tol=1e-8, max_iter=10, adam_lr=0.01)
        ).solve(lambda v: matrix @ v, torch.zeros_like(rhs))
        assert torch.count_nonzero(result.solution) == 0


def test_unknown_solver_and_oversized_direct_solve_are_refused():
    with pytest.raises(ValueError, match="unknown inverse-HVP solver"):
        make_solver(SolverSettings(name="lissa", damping=0.0, tol=1e-6, max_iter=10, adam_lr=0.01))
    with pytest.raises(ValueError, match="max_params"):
        make_solver(
            SolverSettings(name="direct", damping=0.0, tol=1e-6, max_iter=10, adam_lr=0.01)
        ).solve(lambda v: v, torch.ones(5000))


@pytest.mark.parametrize("name", PER_ROW)
def test_gauss_newton_product_equals_its_explicit_matrix(interactions, name):
    """J^T diag(s'(x)) J + 2 l2 diag(counts), built explicitly from the Jacobian of the logits."""
    model = small_model(name, interactions)
    selection = Selection(torch.tensor([0, 3]), torch.tensor([1, 2, 4]))
    objective = EmbeddingObjective(model, selection, l2=0.01)
    phi = objective.initial()
    jacobian = torch.autograd.functional.jacobian(lambda p: objective.logits(p, interactions), phi)
    logits = objective.logits(phi, interactions)
    weights = torch.sigmoid(logits) * torch.sigmoid(-logits)
    labels = torch.as_tensor(interactions["label"].to_numpy(copy=True), dtype=phi.dtype)

    def l2_part(p):  # the summed training loss minus its BCE part
        bce = torch.nn.functional.binary_cross_entropy_with_logits(
            objective.logits(p, interactions), labels, reduction="sum"
        )
        return objective.summed_loss(interactions)(p) - bce

    penalty = torch.autograd.functional.hessian(l2_part, phi)
    torch.testing.assert_close(
        torch.diag(objective.l2_hessian_diagonal(interactions)), penalty, atol=ATOL, rtol=RTOL
    )
    expected = jacobian.T @ (weights[:, None] * jacobian) + penalty
    product = objective.gauss_newton_vector_product(interactions)
    v = torch.randn(phi.shape, generator=torch.Generator().manual_seed(0), dtype=phi.dtype)
    torch.testing.assert_close(product(v), expected @ v, atol=ATOL, rtol=RTOL)
    assert torch.linalg.eigvalsh(expected).min() > -1e-10


def test_cg_raises_the_damping_on_negative_curvature_restarts_and_logs_it(caplog):
    """H = diag(2, -1), b = (0.5, 1): p = b has p^T H p = -0.5, Rayleigh quotient -0.4, so
    the damping becomes 0.8; H + 0.8 is still indefinite, which CG's second direction
    (1.5, 10.5) shows (quotient -0.94): 1.88, positive definite, where CG converges."""
    matrix = torch.diag(torch.tensor([2.0, -1.0], dtype=torch.float64))
    rhs = torch.tensor([0.5, 1.0], dtype=torch.float64)
    settings = SolverSettings(name="cg", damping=0.0, tol=1e-10, max_iter=50)
    with caplog.at_level("INFO", logger="recunlearn.influence"):
        result = make_solver(settings).solve(lambda v: matrix @ v, rhs)
    assert result.restarts == 2 and result.damping == pytest.approx(1.88)
    restarts = [r for r in caplog.records if "non-positive curvature" in r.message]
    assert {r.levelname for r in restarts} == {"INFO"}  # info.log, not the console
    assert result.converged and result.hvp_count == 1 + 2 + 2
    expected = torch.linalg.solve(matrix + result.damping * torch.eye(2, dtype=matrix.dtype), rhs)
    torch.testing.assert_close(result.solution, expected)
    assert sum("non-positive curvature" in r.message for r in caplog.records) == 2


def test_adam_monitor_returns_the_best_scored_iterate_and_its_step():
    """A monitor that prefers one iterate Adam passes through keeps it, not the last one."""
    matrix, rhs = spd_system()
    seen = []
    make_solver(
        SolverSettings(
            name="adam", damping=0.0, tol=1e-10, max_iter=200, adam_lr=0.05, monitor_every=5
        ),
        lambda t: seen.append(t.clone()) or 0.0,
    ).solve(lambda v: matrix @ v, rhs)
    target = seen[7]  # offered at step 35 (every 5 steps from 0)

    def closeness(iterate):
        return -float((iterate - target).norm())

    result = make_solver(
        SolverSettings(
            name="adam", damping=0.0, tol=1e-10, max_iter=200, adam_lr=0.05, monitor_every=5
        ),
        closeness,
    ).solve(lambda v: matrix @ v, rhs)
    torch.testing.assert_close(result.solution, target, atol=0, rtol=0)
    assert result.selected_iteration == 35 and result.iterations == 200
    plain = make_solver(
        SolverSettings(name="adam", damping=0.0, tol=1e-10, max_iter=200, adam_lr=0.05)
    ).solve(lambda v: matrix @ v, rhs)
    assert plain.selected_iteration is None
    assert float((plain.solution - target).norm()) > 0


def test_only_adam_accepts_a_monitor():
    with pytest.raises(ValueError, match="use 'adam'"):
        make_solver(
            SolverSettings(name="cg", damping=0.0, tol=1e-6, max_iter=10, adam_lr=0.01),
            lambda t: 0.0,
        )


def test_block_preconditioned_cg_matches_linalg_solve_in_fewer_iterations():
    """Ill-conditioned 3 x 3 blocks, weakly coupled: block-Jacobi removes most of the spread."""
    generator = torch.Generator().manual_seed(2)
    factors = torch.randn(20, 3, 3, generator=generator, dtype=torch.float64)
    scales = torch.logspace(-1, 3, 20, dtype=torch.float64)[:, None, None]
    blocks = scales * (factors @ factors.transpose(1, 2) + 0.1 * torch.eye(3, dtype=torch.float64))
    coupling = torch.randn(60, 60, generator=generator, dtype=torch.float64)
    matrix = torch.block_diag(*blocks) + 0.05 * (coupling @ coupling.T) / 60
    rhs = torch.randn(60, generator=generator, dtype=torch.float64)
    damping = 0.2
    expected = torch.linalg.solve(matrix + damping * torch.eye(60, dtype=torch.float64), rhs)
    plain = make_solver(
        SolverSettings(name="cg", damping=damping, tol=1e-10, max_iter=500, adam_lr=0.01)
    ).solve(lambda v: matrix @ v, rhs)
    preconditioner = block_jacobi(blocks, damping)
    preconditioned = make_solver(
        SolverSettings(
            name="cg", damping=damping, tol=1e-10, max_iter=500, adam_lr=0.01, monitor_every=10
        ),
        None,
        preconditioner,
    ).solve(lambda v: matrix @ v, rhs)
    torch.testing.assert_close(preconditioned.solution, expected, atol=1e-8, rtol=1e-8)
    torch.testing.assert_close(plain.solution, expected, atol=1e-8, rtol=1e-8)
    assert preconditioned.relative_residual <= 1e-10
    assert preconditioned.hvp_count < plain.hvp_count / 2, (preconditioned, plain)


def weakly_coupled_system(seed=2):
    """The system above, built again: ill-conditioned 3 x 3 blocks, weakly coupled."""
    generator = torch.Generator().manual_seed(seed)
    factors = torch.randn(20, 3, 3, generator=generator, dtype=torch.float64)
    scales = torch.logspace(-1, 3, 20, dtype=torch.float64)[:, None, None]
    blocks = scales * (factors @ factors.transpose(1, 2) + 0.1 * torch.eye(3, dtype=torch.float64))
    coupling = torch.randn(60, 60, generator=generator, dtype=torch.float64)
    matrix = torch.block_diag(*blocks) + 0.05 * (coupling @ coupling.T) / 60
    return blocks, matrix, torch.randn(60, generator=generator, dtype=torch.float64)


def cg(tol, preconditioner=None):
    settings = SolverSettings(name="cg", damping=0.2, tol=tol, max_iter=500)
    return make_solver(settings, None, preconditioner)


def test_cg_with_bfloat16_blocks_still_needs_far_fewer_products_than_plain_cg():
    """Rounded blocks make M^-1 slightly nonlinear; CG's flexible (Polak-Ribiere) beta
    keeps most of the preconditioner's gain at the tolerances IFRU runs at."""
    blocks, matrix, rhs = weakly_coupled_system()
    expected = torch.linalg.solve(matrix + 0.2 * torch.eye(60, dtype=torch.float64), rhs)
    rounded = apply_blocks(inverse_blocks(blocks, 0.2, torch.bfloat16))
    plain = cg(1e-3).solve(lambda v: matrix @ v, rhs)
    preconditioned = cg(1e-3, rounded).solve(lambda v: matrix @ v, rhs)
    assert preconditioned.relative_residual <= 1e-3
    error = (preconditioned.solution - expected).norm() / expected.norm()
    assert error < 1e-2, float(error)
    assert preconditioned.hvp_count < plain.hvp_count / 2, (preconditioned, plain)


def test_cg_drops_a_preconditioner_that_is_not_positive_and_still_solves(caplog):
    _, matrix, rhs = weakly_coupled_system()
    expected = torch.linalg.solve(matrix + 0.2 * torch.eye(60, dtype=torch.float64), rhs)
    with caplog.at_level("INFO", logger="recunlearn.influence"):
        result = cg(1e-10, lambda r: -r).solve(lambda v: matrix @ v, rhs)
    torch.testing.assert_close(result.solution, expected, atol=1e-8, rtol=1e-8)
    assert "preconditioner is not positive" in caplog.text


def test_bfloat16_blocks_count_as_fast_on_cuda_and_never_off_the_cpu_and_cuda():
    """CUDA multiplies bfloat16 natively; the CPU's answer is its oneDNN's (AVX-512)."""
    assert bfloat16_blocks_are_fast(torch.device("cuda"))
    assert not bfloat16_blocks_are_fast(torch.device("meta"))
    assert isinstance(bfloat16_blocks_are_fast(torch.device("cpu")), bool)
