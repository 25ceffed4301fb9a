"""Training on ENMF's whole-data loss: batches of users against every item.

Each step takes a batch of ``cfg.batch_size`` users (in an order drawn from the
generator), their labelled rows and :meth:`ENMF.batch_loss` (every item, unobserved
pairs weighted by ``cfg.negative_weight`` of its :class:`ENMFConfig`, cached d x d Gram
matrices). One epoch visits every user once, so its summed batch losses are the
whole-data loss.

Optimiser: AdamW, the first-order optimiser AltEraser's paper trains and retrains with
(§5.1; ENMF's own code uses Adagrad), with ``weight_decay=0``: the L2 penalty is in the
loss, so Original, Retrain and AltEraser's sub-problems all minimise one objective.
Early stopping on validation AUC_0 as in :mod:`recunlearn.training.trainer` (the
paper: patience 10), best checkpoint restored.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
import torch

from recunlearn.models.config import ENMFConfig
from recunlearn.models.enmf import ENMF
from recunlearn.predictions import auc, rows_to_tensors, score_rows
from recunlearn.progress import EpochBar
from recunlearn.training.trainer import TrainLog, early_stopping


def _run_epoch(
    model: ENMF,
    optimizer: torch.optim.Optimizer,
    data: tuple[torch.Tensor, torch.Tensor, torch.Tensor],
    cfg: ENMFConfig,
    generator: torch.Generator,
) -> float:
    users, items, labels = data
    order = torch.randperm(model.n_users, generator=generator).to(users.device)
    in_batch = torch.zeros(model.n_users, dtype=torch.bool, device=users.device)
    total = 0.0
    for batch in order.split(cfg.batch_size):
        in_batch[batch] = True
        keep = in_batch[users]
        in_batch[batch] = False
        rows = (users[keep], items[keep], labels[keep])
        loss = model.batch_loss(batch, rows, cfg.negative_weight, cfg.l2)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        total += float(loss.detach())
    return total


def train_whole_data(
    model: ENMF,
    train_rows: pd.DataFrame,
    valid_rows: pd.DataFrame,
    cfg: ENMFConfig,
    generator: torch.Generator,
    device: torch.device | str = "cpu",
    on_evaluation: Callable[[int, float], None] | None = None,
) -> TrainLog:
    """Train ``model`` in place on ``train_rows``; restore the best validation state.

    Same contract as :func:`recunlearn.training.trainer.train_model`; each history
    record's ``train_loss`` is the epoch's whole-data loss (summed, not averaged).
    """
    model.to(device)
    data = rows_to_tensors(train_rows, device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=0.0)
    valid_labels = valid_rows["label"].to_numpy()
    best_auc, best_epoch, best_state, stale = -np.inf, 0, None, 0
    history: list[dict[str, float]] = []
    start, epoch = time.perf_counter(), 0
    bar = EpochBar(f"{model.name} training", cfg.max_epochs, early_stopping(cfg, valid_rows))
    with bar:
        for epoch in range(1, cfg.max_epochs + 1):
            model.train()
            record = {"epoch": float(epoch)}
            record["train_loss"] = _run_epoch(model, optimizer, data, cfg, generator)
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
            bar.advance(epoch, best_epoch, stale)
            history.append(record)
            if stale >= cfg.patience:
                break
    if best_state is not None:
        model.load_state_dict(best_state)
    else:
        best_epoch = epoch
    model.eval()
    finite = np.isfinite(best_auc)
    return TrainLog(
        str(device),
        epoch,
        best_epoch,
        float(best_auc) if finite else float("nan"),
        time.perf_counter() - start,
        history,
    )
