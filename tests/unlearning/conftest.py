"""Shared helpers of the influence oracles: converged tiny models on noisy low-rank data."""

import numpy as np
import pandas as pd
import pytest
import torch

from recunlearn.models import build_backbone
from recunlearn.models.config import TrainConfig

L2 = 0.1


def tiny_config(dim: int, init_std: float = 0.3) -> TrainConfig:
    """The architecture of the oracles' tiny models (a LightGCN gets its default one layer)."""
    return TrainConfig(embedding_dim=dim, init_std=init_std)


def fit_to_convergence(model, rows: pd.DataFrame, l2: float = L2) -> None:
    """Full-batch L-BFGS on the mean training loss until the gradient vanishes."""
    users = torch.as_tensor(rows["user"].to_numpy(copy=True))
    items = torch.as_tensor(rows["item"].to_numpy(copy=True))
    labels = torch.as_tensor(rows["label"].to_numpy(copy=True), dtype=torch.float64)
    optimizer = torch.optim.LBFGS(
        model.parameters(),
        lr=1,
        max_iter=2000,
        tolerance_grad=1e-12,
        tolerance_change=1e-15,
        history_size=50,
        line_search_fn="strong_wolfe",
    )

    def closure():
        optimizer.zero_grad()
        loss = model.row_losses(users, items, labels, l2).mean()
        loss.backward()
        return loss

    optimizer.step(closure)


def flat(model) -> torch.Tensor:
    return torch.cat(
        [model.user_embedding.detach().reshape(-1), model.item_embedding.detach().reshape(-1)]
    )


def noisy_low_rank(n_users=30, n_items=20, density=0.8, seed=5) -> pd.DataFrame:
    """Labels drawn from a random rank-2 logit model: no symmetry makes rows redundant."""
    rng = np.random.default_rng(seed)
    truth = rng.normal(size=(n_users, 2)) @ rng.normal(size=(2, n_items))
    users, items = np.nonzero(rng.random((n_users, n_items)) < density)
    labels = (rng.random(len(users)) < 1 / (1 + np.exp(-2 * truth[users, items]))).astype(int)
    return pd.DataFrame({"user": users, "item": items, "label": labels})


@pytest.fixture
def converged_mf():
    data = noisy_low_rank()
    train = data.assign(forget=False)
    train.loc[train.sample(4, random_state=0).index, "forget"] = True
    model = build_backbone(
        "mf", 30, 20, tiny_config(2), train, torch.Generator().manual_seed(0)
    ).double()
    fit_to_convergence(model, train)
    return model, train


def all_scores(model) -> torch.Tensor:
    """Every user's logits against every item, flattened: invariant to the rotations of
    the embeddings that leave the loss unchanged, so retrains compare by predictions."""
    with torch.no_grad():
        return model.scorer().users(torch.arange(model.n_users)).reshape(-1)
