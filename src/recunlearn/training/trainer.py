"""Mini-batch training with early stopping on validation AUC_0.

Point-wise BCE over every labelled row (the IFRU protocol), Adam, an optional L2
penalty (see :meth:`Recommender.row_losses`). The best validation checkpoint is
restored at the end. Without validation rows (e.g. an 80/0/20 split) the model
trains for ``max_epochs`` and the last epoch is kept.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch

from recunlearn.evaluation.auc import auc
from recunlearn.models.base import Recommender
from recunlearn.models.scoring import ScoringModel
from recunlearn.training.config import TrainConfig


@dataclass
class TrainLog:
    """What happened during training, for the catalog's training log."""

    device: str
    epochs: int
    best_epoch: int
    best_valid_auc: float
    seconds: float
    history: list[dict[str, float]] = field(default_factory=list)

    @property
    def seconds_per_epoch(self) -> float:
        return self.seconds / max(self.epochs, 1)


def rows_to_tensors(
    rows: pd.DataFrame, device: torch.device | str
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(users, items, labels) tensors of a row table on ``device``."""

    def to(column: str, dtype: torch.dtype) -> torch.Tensor:
        return torch.as_tensor(rows[column].to_numpy(copy=True), dtype=dtype, device=device)

    return to("user", torch.long), to("item", torch.long), to("label", torch.float32)


def score_rows(model: ScoringModel, rows: pd.DataFrame, chunk: int = 65536) -> np.ndarray:
    """Predicted logits for each (user, item) row, as float64 NumPy (through the model's scorer)."""
    users, items, _ = rows_to_tensors(rows, model.device)
    return model.score_pairs(users, items, chunk).double().cpu().numpy()


def _run_epoch(
    model: Recommender,
    optimizer: torch.optim.Optimizer,
    data: tuple[torch.Tensor, torch.Tensor, torch.Tensor],
    cfg: TrainConfig,
    generator: torch.Generator,
) -> float:
    users, items, labels = data
    order = torch.randperm(len(users), generator=generator).to(users.device)
    total = 0.0
    for start in range(0, len(order), cfg.batch_size):
        batch = order[start : start + cfg.batch_size]
        loss = model.row_losses(users[batch], items[batch], labels[batch], cfg.l2).mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        total += float(loss.detach()) * len(batch)
    return total / max(len(order), 1)


def train_model(
    model: Recommender,
    train_rows: pd.DataFrame,
    valid_rows: pd.DataFrame,
    cfg: TrainConfig,
    generator: torch.Generator,
    device: torch.device | str = "cpu",
    on_evaluation: Callable[[int, float], None] | None = None,
) -> TrainLog:
    """Train ``model`` in place on ``train_rows``; restore the best validation state.

    ``generator`` (CPU) drives the batch order, so the same seed gives the same run.
    ``on_evaluation(epoch, valid_auc)`` is called after each validation; it may raise
    to stop training (a tuning pruner does).
    """
    model.to(device)
    data = rows_to_tensors(train_rows, device)
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    valid_labels = valid_rows["label"].to_numpy()
    best_auc, best_epoch, best_state, stale = -np.inf, 0, None, 0
    history: list[dict[str, float]] = []
    start = time.perf_counter()
    epoch = 0
    for epoch in range(1, cfg.max_epochs + 1):
        model.train()
        record = {
            "epoch": float(epoch),
            "train_loss": _run_epoch(model, optimizer, data, cfg, generator),
        }
        if len(valid_rows) and epoch % cfg.eval_every == 0:
            model.eval()
            record["valid_auc"] = auc(valid_labels, score_rows(model, valid_rows))
            if on_evaluation is not None:
                on_evaluation(epoch, record["valid_auc"])
            if record["valid_auc"] > best_auc + cfg.min_delta:
                best_auc, best_epoch, stale = record["valid_auc"], epoch, 0
                best_state = copy.deepcopy(model.state_dict())
            else:
                stale += 1
        history.append(record)
        if stale >= cfg.patience:
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    else:
        best_epoch = epoch
    model.eval()
    return TrainLog(
        device=str(device),
        epochs=epoch,
        best_epoch=best_epoch,
        best_valid_auc=float(best_auc) if np.isfinite(best_auc) else float("nan"),
        seconds=time.perf_counter() - start,
        history=history,
    )
