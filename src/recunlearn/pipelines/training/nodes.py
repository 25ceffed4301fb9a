"""Training node: train Original on D for one backbone.

The models and the trainer (torch) are imported inside the node, so that building the
pipelines does not import torch.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import pandas as pd

from recunlearn.models import backbone_config
from recunlearn.models.config import TrainConfig
from recunlearn.runtime import RuntimeConfig, apply_runtime
from recunlearn.tuning.config import TuningConfig

logger = logging.getLogger(__name__)


def resolve_train_config(
    train_config: TrainConfig, best_params: dict[str, Any], tuning: TuningConfig
) -> dict[str, Any]:
    """The hyperparameters Original, Retrain and every method use.

    ``training.<backbone>`` from the parameters (of the backbone's own config type),
    overridden by the tuned values when ``tuning.use_tuned`` is true and a study has
    stored some; the tuned values come from the catalog, so they are validated here.
    """
    tuned = (best_params or {}).get("params", {}) if tuning.use_tuned else {}
    if tuned:
        logger.info("Using tuned hyperparameters %s from study %s", tuned, best_params.get("study"))
    return type(train_config).model_validate(train_config.model_dump() | tuned).model_dump()


def train_original(
    train: pd.DataFrame,
    valid: pd.DataFrame,
    interactions: pd.DataFrame,
    train_config: dict[str, Any],
    seed: int,
    runtime: RuntimeConfig,
    *,
    backbone: str,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Train ``backbone`` on D (``train`` with its ``forget`` rows) from scratch.

    ``train_config`` (:func:`resolve_train_config`'s output) comes from the catalog: it
    is read as the backbone's config type here.
    """
    from recunlearn.models.building import build_backbone, model_payload
    from recunlearn.training.dispatch import train_backbone
    from recunlearn.unlearning.retrain import training_streams

    cfg = backbone_config(backbone, train_config)
    run = runtime
    device = apply_runtime(run)
    n_users, n_items = int(interactions["user"].max()) + 1, int(interactions["item"].max()) + 1
    init, batches = training_streams(seed, backbone)
    model = build_backbone(backbone, n_users, n_items, cfg, train, init)
    log = train_backbone(model, train, valid, cfg, batches, device)
    record = {
        "backbone": backbone,
        "threads": run.threads,
        "seconds_per_epoch": log.seconds_per_epoch,
        "config": cfg.model_dump(),
        **dataclasses.asdict(log),
    }
    logger.info(
        "%s original: %d epochs (best %d, valid AUC %.4f) in %.1fs on %s",
        backbone,
        log.epochs,
        log.best_epoch,
        log.best_valid_auc,
        log.seconds,
        log.device,
    )
    return model_payload(model), record
