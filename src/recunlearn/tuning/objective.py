"""The tuning objective: validation AUC_0 of a backbone trained on D (never test data)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import optuna
import pandas as pd
import torch

from recunlearn.models import build_backbone
from recunlearn.models.config import TrainConfig
from recunlearn.seeding import torch_generator
from recunlearn.training.dispatch import train_backbone
from recunlearn.tuning.search_space import ParameterSpec, suggest


def make_objective(
    backbone: str,
    train: pd.DataFrame,
    valid: pd.DataFrame,
    n_users: int,
    n_items: int,
    base: TrainConfig,
    space: dict[str, ParameterSpec],
    seed: int,
    device: torch.device | str = "cpu",
) -> Callable[[optuna.Trial], float]:
    """trial -> best validation AUC_0; per-evaluation reports feed the pruner.

    Every trial uses the same seed streams, so the value depends only on the
    hyperparameters (the same seed gives the same study).
    """

    def objective(trial: optuna.Trial) -> float:
        values: dict[str, Any] = suggest(trial, space)
        cfg = base.model_copy(update=values)
        model = build_backbone(
            backbone,
            n_users,
            n_items,
            cfg,
            train,
            torch_generator(seed, "tuning", backbone, "init"),
        )

        def report(epoch: int, value: float) -> None:
            trial.report(value, epoch)
            if trial.should_prune():
                raise optuna.TrialPruned()

        log = train_backbone(
            model,
            train,
            valid,
            cfg,
            torch_generator(seed, "tuning", backbone, "batches"),
            device,
            report,
        )
        trial.set_user_attr("epochs", log.epochs)
        return log.best_valid_auc

    return objective
