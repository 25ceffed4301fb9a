"""Oracles: the closed-form products and gradients against torch.func and explicit Hessians."""

import numpy as np
import pytest
import torch

from recunlearn.influence.blocks import apply_blocks, block_jacobi, inverse_blocks, rounded_blocks
from recunlearn.influence.curvature import hessian_operator, removed_gradient
from recunlearn.influence.dot_product import DotProductCurvature, RowCurvature
from recunlearn.influence.neighbourhood import Neighbourhoods, expand
from recunlearn.influence.objective import EmbeddingObjective, LossTerm, Selection
from recunlearn.models import build_backbone, positive_edges

from ..conftest import backbone_config

TOLERANCE = 1e-6  # the bar for closed-form against torch.func products
# (backbone, LightGCN layers): MF, and LightGCN with one and two propagation layers.
BACKBONES = [("mf", 0), ("lightgcn", 1), ("lightgcn", 2)]


def objective_on(interactions, backbone, layers, selection, l2=0.05, seed=0, device="cpu"):
    config = backbone_config(backbone, embedding_dim=3, init_std=0.5, n_layers=layers)
    generator = torch.Generator().manual_seed(seed)
    model = build_backbone(backbone, 24, 18, config, interactions, generator)
    return EmbeddingObjective(model.double().to(device), selection, l2)


def random_vector(size, seed):
    return torch.randn(size, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


@pytest.mark.parametrize(("backbone", "layers"), BACKBONES)
@pytest.mark.parametrize("exact", [True, False])
@pytest.mark.parametrize("l2", [0.05, 0.0])  # without L2 its term is skipped
def test_closed_form_products_equal_the_torch_func_products(
    interactions, torch_device, backbone, layers, exact, l2
):
    selection = Selection(torch.tensor([0, 3, 5, 11]), torch.tensor([1, 2, 7]))
    objective = objective_on(interactions, backbone, layers, selection, l2, device=torch_device)
    rows = interactions.sample(frac=0.8, random_state=1)  # a subset of the rows, any order
    closed, curvature = hessian_operator(objective, rows, exact, closed_form=True)
    reference, none = hessian_operator(objective, rows, exact, closed_form=False)
    assert curvature is not None and none is None
    for seed in range(3):
        vector = random_vector(objective.initial().shape, seed).to(torch_device)
        torch.testing.assert_close(
            closed(vector), reference(vector), atol=TOLERANCE, rtol=TOLERANCE
        )


@pytest.mark.parametrize(("backbone", "layers"), BACKBONES)
@pytest.mark.parametrize("l2", [0.05, 0.0])  # without L2 its term is skipped
def test_closed_form_gradient_of_signed_terms_equals_torch_func(
    interactions, torch_device, backbone, layers, l2
):
    """Soft labels, a negative term and a term over another graph (IFRU's spillover)."""
    selection = Selection(torch.tensor([1, 2, 8]), torch.tensor([0, 4, 5, 9]))
    objective = objective_on(interactions, backbone, layers, selection, l2, 3, torch_device)
    edges = (t.to(torch_device) for t in positive_edges(interactions.iloc[10:]))
    other_graph = objective.model.graph_state(*edges)
    soft = interactions.iloc[:30].assign(label=0.37)
    terms = [
        LossTerm(interactions.iloc[:30]),
        LossTerm(soft, -1.0),
        LossTerm(interactions.iloc[40:90], -1.0, other_graph or None),
        LossTerm(interactions.iloc[0:0]),
    ]
    torch.testing.assert_close(
        removed_gradient(objective, terms, closed_form=True),
        removed_gradient(objective, terms, closed_form=False),
        atol=TOLERANCE,
        rtol=TOLERANCE,
    )


@pytest.mark.parametrize("exact", [True, False])
def test_mf_diagonal_blocks_are_the_hessians_diagonal_blocks(interactions, exact):
    selection = Selection(torch.tensor([0, 4, 9]), torch.tensor([2, 3]))
    objective = objective_on(interactions, "mf", 0, selection)
    curvature = DotProductCurvature(objective, interactions, objective.model.linear_propagation())
    size = objective.initial().numel()
    explicit = torch.stack(
        [curvature.product(column, exact) for column in torch.eye(size, dtype=torch.float64)], 1
    )
    blocks = curvature.diagonal_blocks()
    for index, block in enumerate(blocks):
        part = slice(3 * index, 3 * index + 3)
        torch.testing.assert_close(block, explicit[part, part], atol=1e-10, rtol=1e-10)


def test_block_jacobi_applies_the_inverse_of_each_shifted_block():
    generator = torch.Generator().manual_seed(0)
    factors = torch.randn(4, 3, 3, generator=generator, dtype=torch.float64)
    blocks = factors @ factors.transpose(1, 2)
    blocks[2] = -torch.eye(3, dtype=torch.float64) * 5  # not positive definite even shifted
    residual = torch.randn(12, generator=generator, dtype=torch.float64)
    applied = block_jacobi(blocks, 0.5)(residual)
    for index in (0, 1, 3):
        shifted = blocks[index] + 0.5 * torch.eye(3, dtype=torch.float64)
        expected = torch.linalg.solve(shifted, residual[3 * index : 3 * index + 3])
        torch.testing.assert_close(applied[3 * index : 3 * index + 3], expected)
    torch.testing.assert_close(applied[6:9], residual[6:9])  # left out: identity


@pytest.mark.parametrize(("backbone", "layers"), BACKBONES)
def test_terms_prepared_on_d_and_restricted_are_the_terms_of_the_rows_alone(
    interactions, backbone, layers
):
    """What a request takes from the prepared state equals what it would form itself."""
    objective = objective_on(
        interactions, backbone, layers, Selection(torch.arange(3), torch.arange(2))
    )
    model, propagation = objective.model, objective.model.linear_propagation()
    keep = torch.from_numpy(np.random.default_rng(0).random(len(interactions)) < 0.4)
    restricted = RowCurvature.of(model, interactions, propagation).restricted(keep)
    alone = RowCurvature.of(model, interactions[keep.numpy()], propagation)
    for name, value in alone.pattern.parts().items():
        assert torch.equal(restricted.pattern.parts()[name], value), name
    assert torch.equal(restricted.pattern.crow, alone.pattern.crow)
    assert torch.equal(restricted.weight, alone.weight)
    assert torch.equal(restricted.residual, alone.residual)


def test_prepared_node_blocks_are_the_mf_hessians_diagonal_blocks(interactions):
    l2, users, items = 0.05, [0, 4, 9], [2, 3]
    objective = objective_on(
        interactions, "mf", 0, Selection(torch.tensor(users), torch.tensor(items)), l2
    )
    curvature = DotProductCurvature(objective, interactions, objective.model.linear_propagation())
    size = objective.initial().numel()
    eye = torch.eye(size, dtype=torch.float64)
    explicit = torch.stack([curvature.product(column, True) for column in eye], 1)
    counts = np.r_[
        np.bincount(interactions["user"], minlength=24),
        np.bincount(interactions["item"], minlength=18),
    ]
    terms = RowCurvature.of(objective.model, interactions, objective.model.linear_propagation())
    blocks = terms.node_blocks(torch.from_numpy(2 * l2 * counts.astype(float)))
    for index, node in enumerate([*users, *(24 + i for i in items)]):
        part = slice(3 * index, 3 * index + 3)
        torch.testing.assert_close(blocks[node], explicit[part, part], atol=1e-10, rtol=1e-10)


@pytest.mark.parametrize("nodes", [[1, 2, 3], [3]])  # in place (over half) and copied out
def test_blocks_applied_to_some_nodes_are_those_blocks_inverses(nodes):
    generator = torch.Generator().manual_seed(1)
    factors = torch.randn(5, 3, 3, generator=generator, dtype=torch.float64)
    blocks = factors @ factors.transpose(1, 2) + torch.eye(3, dtype=torch.float64)
    residual = torch.randn(3 * len(nodes), generator=generator, dtype=torch.float64)
    applied = apply_blocks(inverse_blocks(blocks, 0.5), torch.tensor(nodes))(residual)
    torch.testing.assert_close(applied, block_jacobi(blocks[nodes], 0.5)(residual))


@pytest.mark.parametrize(("backbone", "layers"), BACKBONES)
@pytest.mark.parametrize("exact", [True, False])
def test_products_over_all_of_d_equal_those_over_the_hessian_rows(
    interactions, backbone, layers, exact
):
    """Rows that no selected embedding reaches add exact zeros to the product in phi,
    so a request may use D's prepared terms unrestricted."""
    selection = Selection(torch.tensor([0, 3, 5]), torch.tensor([1, 7]))
    objective = objective_on(interactions, backbone, layers, selection)
    mask = np.zeros(42, dtype=bool)
    mask[[0, 3, 5, 24 + 1, 24 + 7]] = True
    mask = expand(mask, Neighbourhoods.of(interactions, 24, 18).graph, layers)
    keep = mask[interactions["user"].to_numpy()] | mask[interactions["item"].to_numpy() + 24]
    assert 0 < keep.sum() < len(keep)
    rows, propagation = interactions[keep], objective.model.linear_propagation()
    everything = RowCurvature.of(objective.model, interactions, propagation)
    over_d = DotProductCurvature(objective, rows, propagation, everything)
    over_rows = DotProductCurvature(objective, rows, propagation)
    for seed in range(3):
        vector = random_vector(objective.initial().shape, seed)
        torch.testing.assert_close(
            over_d.product(vector, exact), over_rows.product(vector, exact), atol=1e-12, rtol=1e-12
        )


def test_rounding_keeps_well_conditioned_blocks_and_diagonalises_those_it_would_break():
    """[[1, 1 - e], [1 - e, 1]] is positive definite (eigenvalues e, 2 - e); rounded to
    bfloat16 (spacing 2^-7 below 1) it becomes [[1, 1], [1, 1]], singular: that block
    keeps its diagonal. A well-conditioned block is just rounded."""
    broken = torch.tensor([[1.0, 1 - 1e-3], [1 - 1e-3, 1.0]])
    kept = torch.tensor([[2.0, 0.3], [0.3, 1.5]])
    rounded = rounded_blocks(torch.stack([broken, kept]), torch.bfloat16)
    assert rounded.dtype == torch.bfloat16
    torch.testing.assert_close(rounded[0].float(), torch.eye(2), atol=0, rtol=0)
    torch.testing.assert_close(rounded[1], kept.to(torch.bfloat16), atol=0, rtol=0)


def test_bfloat16_blocks_apply_in_their_precision_and_return_the_residuals_dtype():
    generator = torch.Generator().manual_seed(3)
    factors = torch.randn(5, 4, 4, generator=generator)
    blocks = factors @ factors.transpose(1, 2)
    residual = torch.randn(20, generator=generator)
    exact = apply_blocks(inverse_blocks(blocks, 0.5))(residual)
    stored = inverse_blocks(blocks, 0.5, torch.bfloat16)
    assert stored.dtype == torch.bfloat16
    for nodes in (None, torch.tensor([0, 1, 2, 3, 4])):
        applied = apply_blocks(stored, nodes)(residual)
        assert applied.dtype == torch.float32
        torch.testing.assert_close(applied, exact, atol=0.05, rtol=0.02)
