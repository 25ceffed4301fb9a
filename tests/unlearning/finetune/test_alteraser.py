"""AltEraser, Warm-Start and Retrain*: oracles against independent solvers and invariants."""

import numpy as np
import pandas as pd
import pytest
import torch
from scipy.optimize import minimize

from recunlearn.influence.objective import EmbeddingObjective, Selection
from recunlearn.models import build_backbone
from recunlearn.models.config import TrainConfig
from recunlearn.unlearning import METHODS, UnlearningRequest
from recunlearn.unlearning.finetune.alteraser import AltEraser, retain_loss
from recunlearn.unlearning.finetune.block_solvers import ah_newton, hf_newton
from recunlearn.unlearning.finetune.config import BlockConfig

from ...conftest import backbone_config
from ..conftest import noisy_low_rank

L2 = 0.05


def mf(seed=0, dim=3):
    return build_backbone(
        "mf",
        30,
        20,
        TrainConfig(embedding_dim=dim, init_std=0.5),
        None,
        torch.Generator().manual_seed(seed),
    ).double()


def scipy_user_minimiser(model, rows: pd.DataFrame, user: int, l2: float) -> np.ndarray:
    """The exact minimiser of one user's convex problem, by an independent solver (BFGS)."""
    own = rows[rows["user"] == user]
    q = model.item_embedding.detach().numpy()[own["item"].to_numpy()]
    y = own["label"].to_numpy(dtype=float)

    def loss(p):
        x = q @ p
        return float(np.sum(np.logaddexp(0, x) - y * x) + l2 * len(own) * p @ p)

    def grad(p):
        x = q @ p
        return q.T @ (1 / (1 + np.exp(-x)) - y) + 2 * l2 * len(own) * p

    start = model.user_embedding.detach().numpy()[user]
    return minimize(loss, start, jac=grad, method="BFGS", options={"gtol": 1e-12}).x


def test_ah_newton_reaches_each_users_exact_minimiser():
    data = noisy_low_rank()
    model = mf()
    users = torch.arange(30)
    objective = EmbeddingObjective(model, Selection(users, torch.empty(0, dtype=torch.long)), L2)
    phi = ah_newton(objective, data, BlockConfig(newton_steps=25, damping=0.0), "user")
    solved = objective.embeddings(phi)[0].detach().numpy()
    for user in (0, 7, 19):
        np.testing.assert_allclose(
            solved[user], scipy_user_minimiser(model, data, user, L2), atol=1e-6
        )


def test_hf_newton_agrees_with_ah_newton_on_mf():
    data = noisy_low_rank()
    model = mf()
    selection = Selection(torch.arange(30), torch.empty(0, dtype=torch.long))
    objective = EmbeddingObjective(model, selection, L2)
    ah = ah_newton(objective, data, BlockConfig(newton_steps=25, damping=0.0), "user")
    hf = hf_newton(objective, data, BlockConfig(newton_steps=25, cg_iterations=200, damping=0.0))
    torch.testing.assert_close(hf, ah, atol=1e-6, rtol=1e-6)


def request_for(model, data, n_forget=6, l2=L2):
    train = data.assign(forget=False)
    train.loc[train.sample(n_forget, random_state=1).index, "forget"] = True
    cfg = TrainConfig(
        l2=l2, embedding_dim=model.embedding_dim, lr=0.05, batch_size=64, max_epochs=20, patience=5
    )
    return UnlearningRequest(model, train, train.iloc[::5], cfg, seed=3)


@pytest.mark.parametrize("name", ["alteraser_ah", "alteraser_hf", "alteraser_adamw"])
@pytest.mark.parametrize("backbone", ["mf", "lightgcn"])
def test_each_pass_does_not_increase_the_retain_loss(name, backbone):
    data = noisy_low_rank()
    model = build_backbone(
        backbone,
        30,
        20,
        backbone_config(backbone, embedding_dim=3, init_std=0.5, n_layers=1),
        data,
        torch.Generator().manual_seed(0),
    ).double()
    outcome = METHODS[name]({"max_passes": 3, "tol": 0.0}).unlearn(None, request_for(model, data))
    history = outcome.log["retain_loss_history"]
    assert all(
        later <= earlier + 1e-9 for earlier, later in zip(history, history[1:], strict=False)
    )
    assert history[-1] < history[0]
    expected = {
        "alteraser_ah": "ah_newton",
        "alteraser_hf": "hf_newton",
        "alteraser_adamw": "adamw",
    }[name]
    if name == "alteraser_ah" and backbone == "lightgcn":
        expected = "hf_newton"  # the closed form needs graph_hops == 0
    assert outcome.log["optimizer_used"] == expected


def test_alteraser_log_reports_the_loss_it_minimised():
    data = noisy_low_rank()
    request = request_for(mf(), data)
    outcome = AltEraser({"max_passes": 1}).unlearn(None, request)
    assert outcome.log["retain_loss_history"][-1] == pytest.approx(
        retain_loss(outcome.model, request.retain_rows, request.train_config)
    )


@pytest.mark.parametrize("name", ["warm_start", "alteraser_ah", "alteraser_hf", "alteraser_adamw"])
def test_empty_forget_set_leaves_original_unchanged(name):
    data = noisy_low_rank()
    model = mf()
    request = request_for(model, data, n_forget=0)
    outcome = METHODS[name]().unlearn(None, request)
    assert outcome.model is not model
    for key, value in model.state_dict().items():
        assert torch.equal(outcome.model.state_dict()[key], value)


def test_registry_names_match_their_defaults():
    for name, method in METHODS.items():
        assert method.name == name
    assert METHODS["retrain_star"]().config.seed_key == "star"
    assert METHODS["alteraser_hf"]().config.optimizer == "hf_newton"


def test_levenberg_marquardt_ratio_is_one_on_a_quadratic_for_any_backtracked_step():
    """On f(x) = x'Ax/2 + b'x the quadratic model is exact: actual / predicted = 1."""
    from recunlearn.unlearning.finetune.block_solvers import reduction_ratio

    a = torch.tensor([[3.0, 1.0], [1.0, 2.0]], dtype=torch.float64)
    b = torch.tensor([1.0, -2.0], dtype=torch.float64)
    x = torch.tensor([0.5, 0.5], dtype=torch.float64)

    def f(v):
        return float(0.5 * v @ a @ v + b @ v)

    gradient = a @ x + b
    step = -torch.linalg.solve(a + 0.7 * torch.eye(2, dtype=torch.float64), gradient)
    for scale in (1.0, 0.5, 0.125):
        actual = f(x + scale * step) - f(x)
        ratio = reduction_ratio(actual, float(gradient @ step), float(step @ a @ step), scale)
        assert ratio == pytest.approx(1.0, abs=1e-12)
