"""AltEraser on ENMF: closed-form per-user / per-item steps against numpy lstsq."""

import numpy as np
import pytest
import torch

from recunlearn.influence.objective import Selection
from recunlearn.models import build_backbone
from recunlearn.models.config import ENMFConfig, TrainConfig
from recunlearn.unlearning import METHODS, UnlearningRequest
from recunlearn.unlearning.finetune.block_solvers import hf_newton
from recunlearn.unlearning.finetune.config import BlockConfig
from recunlearn.unlearning.finetune.whole_data_blocks import WholeDataObjective, whole_data_newton

C0, L2 = 0.2, 0.05
EMPTY = torch.empty(0, dtype=torch.long)


def enmf(interactions, seed=0):
    model = build_backbone(
        "enmf",
        24,
        18,
        TrainConfig(embedding_dim=4, init_std=0.5),
        interactions,
        torch.Generator().manual_seed(seed),
    ).double()
    with torch.no_grad():
        model.prediction.copy_(torch.tensor([0.6, 1.0, 1.3, 0.8], dtype=torch.float64))
    return model


def lstsq_minimiser(fixed: np.ndarray, h: np.ndarray, rows, own: str, other: str, index: int):
    """argmin_p sum_v w_v (y_v - p.(h * x_v))^2 + l2 |p|^2 over *every* other-side x_v,
    as one stacked least-squares problem (sqrt-weighted rows plus sqrt(l2) I)."""
    features = fixed * h
    weight = np.full(len(fixed), C0)
    target = np.zeros(len(fixed))
    mine = rows[rows[own] == index]
    weight[mine[other]] = 1.0
    target[mine[other]] = mine["label"]
    root = np.sqrt(weight)[:, None]
    design = np.vstack([root * features, np.sqrt(L2) * np.eye(features.shape[1])])
    rhs = np.concatenate([root[:, 0] * target, np.zeros(features.shape[1])])
    return np.linalg.lstsq(design, rhs, rcond=None)[0]


def test_ah_newton_user_step_is_each_users_least_squares_solution(interactions):
    model = enmf(interactions)
    objective = WholeDataObjective(model, Selection(torch.arange(24), EMPTY), L2, C0)
    phi = whole_data_newton(objective, interactions, BlockConfig(damping=0.0), "user")
    solved = objective.embeddings(phi)[0].detach().numpy()
    items, h = model.item_embedding.detach().numpy(), model.prediction.detach().numpy()
    for user in range(24):
        expected = lstsq_minimiser(items, h, interactions, "user", "item", user)
        np.testing.assert_allclose(solved[user], expected, rtol=1e-9, atol=1e-11)


def test_ah_newton_item_step_is_each_items_least_squares_solution(interactions):
    model = enmf(interactions, seed=1)
    items = torch.tensor([0, 5, 11, 17])
    objective = WholeDataObjective(model, Selection(EMPTY, items), L2, C0)
    rows = interactions[interactions["item"].isin(items.numpy())]
    phi = whole_data_newton(objective, rows, BlockConfig(damping=0.0), "item")
    solved = objective.embeddings(phi)[1].detach().numpy()
    users, h = model.user_embedding.detach().numpy(), model.prediction.detach().numpy()
    for item in items.tolist():
        expected = lstsq_minimiser(users, h, interactions, "item", "user", item)
        np.testing.assert_allclose(solved[item], expected, rtol=1e-9, atol=1e-11)
    untouched = np.setdiff1d(np.arange(18), items.numpy())
    np.testing.assert_array_equal(
        solved[untouched], model.item_embedding.detach().numpy()[untouched]
    )


def test_hf_newton_reaches_the_same_user_minimiser(interactions):
    model = enmf(interactions, seed=2)
    objective = WholeDataObjective(model, Selection(torch.arange(24), EMPTY), L2, C0)
    exact = whole_data_newton(objective, interactions, BlockConfig(damping=0.0), "user")
    cfg = BlockConfig(newton_steps=3, cg_iterations=200, damping=0.0)
    torch.testing.assert_close(hf_newton(objective, interactions, cfg), exact)


@pytest.mark.parametrize("name", ["alteraser_ah", "alteraser_hf", "alteraser_adamw"])
def test_alteraser_on_enmf_lowers_the_whole_data_retain_loss(interactions, name):
    train = interactions.assign(
        forget=interactions["user"].isin([3, 8]) & (interactions.index % 2 == 0)
    )
    cfg = ENMFConfig(embedding_dim=4, l2=L2, negative_weight=C0)
    request = UnlearningRequest(enmf(interactions), train, train.iloc[:20], cfg, seed=0)
    outcome = METHODS[name]({"max_passes": 2, "tol": 0.0}).unlearn(None, request)
    history = outcome.log["retain_loss_history"]
    assert all(
        later <= earlier + 1e-9 for earlier, later in zip(history, history[1:], strict=False)
    )
    assert history[-1] < history[0]


def test_hf_newton_truncates_cg_by_design_without_a_warning(interactions, caplog):
    """Two CG steps cannot solve the block (the cap stops them above tol): the influence
    solver warns about that, HF-Newton's truncated CG does not."""
    from recunlearn.influence.solvers import ConjugateGradient
    from recunlearn.unlearning.finetune.block_solvers import TruncatedCG

    matrix = torch.diag(torch.arange(1.0, 6.0, dtype=torch.float64))
    rhs = torch.ones(5, dtype=torch.float64)
    with caplog.at_level("WARNING", logger="recunlearn.influence.solvers"):
        truncated = TruncatedCG(0.0, 1e-6, 2).solve(lambda v: matrix @ v, rhs)
        assert truncated.hit_cap and not caplog.records
        ConjugateGradient(0.0, 1e-6, 2).solve(lambda v: matrix @ v, rhs)
        assert len(caplog.records) == 1
        model = enmf(interactions, seed=2)
        objective = WholeDataObjective(model, Selection(torch.arange(24), EMPTY), L2, C0)
        hf_newton(objective, interactions, BlockConfig(newton_steps=1, cg_iterations=2))
    assert len(caplog.records) == 1  # HF-Newton added none
