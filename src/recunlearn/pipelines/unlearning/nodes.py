"""Unlearning nodes: prepare a method on D (exact methods), then apply it to the request.

The methods (torch) are imported inside the nodes, so that building the pipelines does
not import torch.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import pandas as pd

from recunlearn.execution.factory import make_executor
from recunlearn.models import backbone_config
from recunlearn.runtime import RuntimeConfig, apply_runtime
from recunlearn.unlearning import METHODS
from recunlearn.unlearning.user_groups import groupings_from_tables

if TYPE_CHECKING:
    from recunlearn.unlearning.base import UnlearningRequest

logger = logging.getLogger(__name__)


def unlearning_request(
    original: dict[str, Any],
    train: pd.DataFrame,
    valid: pd.DataFrame,
    train_config: dict[str, Any],
    seed: int,
    runtime: RuntimeConfig,
) -> UnlearningRequest:
    """The request; ``train_config`` (the training step's resolved config) comes from the
    catalog and is read as the backbone's config type."""
    from recunlearn.models.building import model_from_payload
    from recunlearn.unlearning.base import UnlearningRequest

    run = runtime
    device = apply_runtime(run)
    model = model_from_payload(original).to(device)
    return UnlearningRequest(
        original=model,
        train_rows=train,
        valid_rows=valid,
        train_config=backbone_config(model.name, train_config),
        seed=seed,
        device=device,
        executor=make_executor(run.executor, run.workers, run.threads),
        stack_shards=run.stack_shards,
    )


def prepare_method(
    original: dict[str, Any],
    train: pd.DataFrame,
    valid: pd.DataFrame,
    method_config: dict[str, Any] | None,
    train_config: dict[str, Any],
    seed: int,
    runtime: RuntimeConfig,
    user_groups: pd.DataFrame | None = None,
    cohesion: pd.DataFrame | None = None,
    *,
    method: str,
) -> dict[str, Any]:
    """Learn ``METHODS[method]``'s state on D (the ``forget`` marks are dropped first)."""
    from recunlearn.unlearning.base import PrepareContext
    from recunlearn.unlearning.state import state_payload

    request = unlearning_request(original, train, valid, train_config, seed, runtime)
    groupings = None if user_groups is None else groupings_from_tables(user_groups, cohesion)
    state = METHODS[method](method_config).prepare(PrepareContext.of(request, groupings))
    logger.info("%s.%s prepared in %.2fs", request.original.name, method, state.seconds)
    return state_payload(state)


def run_unlearning(
    original: dict[str, Any],
    train: pd.DataFrame,
    valid: pd.DataFrame,
    method_config: dict[str, Any] | None,
    train_config: dict[str, Any],
    seed: int,
    runtime: RuntimeConfig,
    state: dict[str, Any] | None = None,
    *,
    method: str,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Unlearn D_r (``train.forget``) with ``METHODS[method]`` from its prepared state."""
    from recunlearn.models.building import model_payload
    from recunlearn.unlearning.state import state_from_payload

    request = unlearning_request(original, train, valid, train_config, seed, runtime)
    METHODS[method].check_backbone(request.original.name)
    prepared = None if state is None else state_from_payload(state)
    outcome = METHODS[method](method_config).unlearn(prepared, request)
    threads = runtime.threads
    log = {
        "method": method,
        "family": METHODS[method].family,
        "backbone": request.original.name,
        "device": str(request.device),
        "threads": threads,
    }
    log |= outcome.log
    logger.info("%s.%s: %s", request.original.name, method, log)
    return model_payload(outcome.model), log
