"""Poisoning / deletion-request node: D, D_r and D - D_r from the training split."""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd

from recunlearn.data.metadata import genre_lookup
from recunlearn.data.requests import mark_request, split_request
from recunlearn.parameters import PoisoningConfig
from recunlearn.seeding import numpy_rng

logger = logging.getLogger(__name__)


def make_deletion_request(
    train: pd.DataFrame,
    interactions: pd.DataFrame,
    genres: pd.DataFrame,
    poisoning: PoisoningConfig,
    dataset: str,
    seed: int,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Mark D_r in the training split according to ``poisoning.kind`` (``genres``: the
    item genres of ``category`` requests)."""
    cfg = poisoning
    rng = numpy_rng(seed, "poisoning", cfg.kind)
    marked = mark_request(train, interactions, cfg, rng, genre_lookup(genres, dataset))
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
