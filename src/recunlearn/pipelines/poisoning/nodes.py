"""Poisoning / deletion-request node: D, D_r and D - D_r from the training split."""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd

from recunlearn.data.requests import (
    delete_private,
    flip_labels,
    inject_noise,
    select_users,
    split_request,
)
from recunlearn.parameters import PoisoningConfig
from recunlearn.seeding import numpy_rng

logger = logging.getLogger(__name__)


def make_deletion_request(
    train: pd.DataFrame, interactions: pd.DataFrame, poisoning: PoisoningConfig, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Mark D_r in the training split according to ``poisoning.kind``."""
    cfg = PoisoningConfig.model_validate(poisoning)
    rng = numpy_rng(seed, "poisoning", cfg.kind)
    if cfg.kind == "label_flip":
        marked = flip_labels(train, cfg.ratio, rng)
    elif cfg.kind == "noise_injection":
        n_items = int(interactions["item"].max()) + 1
        marked = inject_noise(train, interactions, cfg.n_users, n_items, rng)
    elif cfg.kind == "private":
        marked = delete_private(train, cfg.n_users, rng)
    elif cfg.kind == "user_wise":
        marked = select_users(train, cfg.percent, cfg.selection, rng, cfg.user_count)
    else:
        marked = train.reset_index(drop=True).assign(forget=False)
    forget, retain = split_request(marked)
    log = {
        **cfg.model_dump(),
        "train_rows": len(marked),
        "forget_rows": len(forget),
        "retain_rows": len(retain),
        "forget_users": int(forget["user"].nunique()),
        "forget_items": int(forget["item"].nunique()),
    }
    logger.info("Deletion request: %s", log)
    return marked, forget, retain, log
