"""One entry point that trains any backbone with the routine its loss needs.

The backbone class says which loss trains it (``Recommender.training_loss``):
per-row BCE mini-batches (:func:`train_model`) or ENMF's whole-data loss over batches
of users (:func:`train_whole_data`). Original, Retrain, Retrain*, Warm-Start and tuning
all call :func:`train_backbone`, so none of them checks which backbone it trains.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import torch

from recunlearn.models.base import Recommender
from recunlearn.models.config import TrainConfig
from recunlearn.training.trainer import TrainLog, train_model
from recunlearn.training.whole_data import train_whole_data

TRAINERS: dict[str, Callable[..., TrainLog]] = {
    "per_row_bce": train_model,
    "whole_data": train_whole_data,
}
"""Training routine per ``Recommender.training_loss``."""


def train_backbone(
    model: Recommender,
    train_rows: pd.DataFrame,
    valid_rows: pd.DataFrame,
    cfg: TrainConfig,
    generator: torch.Generator,
    device: torch.device | str = "cpu",
    on_evaluation: Callable[[int, float], None] | None = None,
) -> TrainLog:
    """Train ``model`` in place with the routine of its ``training_loss`` (same contract
    as :func:`recunlearn.training.trainer.train_model`)."""
    trainer = TRAINERS[model.training_loss]
    return trainer(model, train_rows, valid_rows, cfg, generator, device, on_evaluation)
