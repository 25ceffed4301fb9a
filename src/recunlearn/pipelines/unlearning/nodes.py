"""Unlearning node: apply one registered method to one backbone's Original model."""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd

from recunlearn.models import model_from_payload, model_payload
from recunlearn.runtime import RuntimeConfig, apply_runtime
from recunlearn.training.config import TrainConfig
from recunlearn.unlearning import METHODS, UnlearningRequest

logger = logging.getLogger(__name__)


def run_unlearning(
    original: dict[str, Any],
    train: pd.DataFrame,
    valid: pd.DataFrame,
    method_config: dict[str, Any] | None,
    train_config: TrainConfig,
    seed: int,
    runtime: RuntimeConfig,
    *,
    method: str,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Unlearn D_r (``train.forget``) from ``original`` with ``METHODS[method]``."""
    run = RuntimeConfig.model_validate(runtime)
    device = apply_runtime(run)
    model = model_from_payload(original).to(device)
    request = UnlearningRequest(
        original=model,
        train_rows=train,
        valid_rows=valid,
        train_config=TrainConfig.model_validate(train_config),
        seed=seed,
        device=device,
    )
    outcome = METHODS[method](method_config).unlearn(request)
    log = {"method": method, "backbone": model.name, "device": str(device), "threads": run.threads}
    log |= outcome.log
    logger.info("%s.%s: %s", model.name, method, log)
    return model_payload(outcome.model), log
