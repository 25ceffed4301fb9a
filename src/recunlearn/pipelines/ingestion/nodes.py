"""Ingestion nodes: raw ratings -> clean interactions -> train / valid / test."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import pandas as pd

from recunlearn.audits.config import AuditsConfig
from recunlearn.data.audit_pool import hold_out_users
from recunlearn.data.cleaning import clean_interactions
from recunlearn.data.metadata import item_genres, user_groups
from recunlearn.data.raw_formats import dataset_spec
from recunlearn.data.splitting import split_interactions
from recunlearn.errors import ParameterError
from recunlearn.parameters import IngestionConfig
from recunlearn.seeding import numpy_rng

logger = logging.getLogger(__name__)


def clean_ratings(
    raw_ratings: pd.DataFrame, dataset: str, ingestion: IngestionConfig
) -> tuple[pd.DataFrame, dict[str, Any], pd.DataFrame]:
    """Label, de-duplicate, k-core filter and reindex the raw table; the third output
    maps the raw tokens to the internal ids (side tables join through it)."""
    cfg = ingestion
    spec = dataset_spec(dataset)
    loaded = raw_ratings.attrs.get("dataset", dataset)
    if loaded != dataset:
        raise ParameterError(
            f"parameter 'dataset' is {dataset!r} but the catalog loaded {loaded!r}; "
            f"switch both with `kedro run --params dataset={dataset}`"
        )
    threshold = spec.label_threshold(cfg.label_threshold)
    clean, report, id_map = clean_interactions(raw_ratings, threshold, spec.inclusive, cfg.k_core)
    log = {"dataset": dataset, "threshold": threshold, **dataclasses.asdict(report)}
    logger.info("Cleaned %s: %s", dataset, log)
    return clean, log, id_map


def split_dataset(
    interactions: pd.DataFrame, ingestion: IngestionConfig, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Split clean interactions and drop cold validation / test rows."""
    cfg = ingestion
    split = split_interactions(
        interactions, cfg.split.strategy, cfg.split.fractions, numpy_rng(seed, "split")
    )
    log = {
        "strategy": cfg.split.strategy,
        "fractions": list(cfg.split.fractions),
        "train_rows": len(split.train),
        "valid_rows": len(split.valid),
        "test_rows": len(split.test),
        "dropped_cold_valid_rows": split.dropped_valid,
        "dropped_cold_test_rows": split.dropped_test,
    }
    logger.info("Split: %s", log)
    return split.train, split.valid, split.test, log


def split_holding_out_pool(
    interactions: pd.DataFrame, ingestion: IngestionConfig, audits: dict[str, Any], seed: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """:func:`split_dataset`, then ``audits.user_pool`` random training users taken out of
    every split: their training rows are the fourth output (user-level LiRA's non-members,
    empty when the pool is 0), so no model of the run ever trains on them."""
    train, valid, test, log = split_dataset(interactions, ingestion, seed)
    n_pool = AuditsConfig.model_validate(audits).user_pool
    rng = numpy_rng(seed, "audits", "user_pool")
    (train, valid, test), pool = hold_out_users((train, valid, test), n_pool, rng)
    log |= {"audit_pool_users": n_pool, "audit_pool_rows": len(pool)}
    log |= {"train_rows": len(train), "valid_rows": len(valid), "test_rows": len(test)}
    if n_pool:
        logger.info("Audit pool: %d users (%d rows) held out of every split", n_pool, len(pool))
    return train, valid, test, pool, log


def join_side_tables(
    raw_items: pd.DataFrame, raw_users: pd.DataFrame, id_map: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Item genres and user groups (gender, age band) on the internal ids; empty tables
    for a dataset that has none."""
    genres, groups = item_genres(raw_items, id_map), user_groups(raw_users, id_map)
    logger.info(
        "Side tables: %d (item, genre) rows, %d users with groups", len(genres), len(groups)
    )
    return genres, groups
