"""Grouping nodes (LASER Group module): embed users, group them, draw the figures.

Grouping happens at learning time, before any deletion request is known, so the
``forget`` column of ``mi_train`` is dropped: every row of D, fake ones included,
shapes the groups.

The grouping code (gensim, scikit-learn, matplotlib) is imported inside the nodes, so
that building the pipelines imports none of it.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from recunlearn.errors import DataValidationError
from recunlearn.grouping.config import GroupingConfig, validate_grouping

logger = logging.getLogger(__name__)


def _learning_rows(train: pd.DataFrame) -> pd.DataFrame:
    return train.drop(columns=["forget"], errors="ignore")


def embed_users(
    train: pd.DataFrame, interactions: pd.DataFrame, grouping: GroupingConfig, seed: int
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Collaborative embedding of every user id 0..N-1 (N = max id in the data + 1).

    Validates ``grouping`` first, so a bad parameter stops the run before any output.
    """
    from recunlearn.grouping.laser import collaborative_embedding

    n_users = int(interactions["user"].max()) + 1
    cfg = validate_grouping(grouping, n_users)
    outcome = collaborative_embedding(_learning_rows(train), n_users, cfg, seed)
    columns = [f"e{k}" for k in range(outcome.embeddings.shape[1])]
    frame = pd.DataFrame(outcome.embeddings, columns=columns)
    frame.insert(0, "user", np.arange(n_users))
    logger.info("Walks and embedding: %s", outcome.walks_summary)
    return frame, outcome.walks_summary


def assign_groups(
    train: pd.DataFrame,
    embeddings: pd.DataFrame,
    walks_summary: dict[str, Any],
    grouping: GroupingConfig,
    seed: int,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """``rand``, ``bkm`` and ``cbkm`` labels per user, their cohesion table and a log."""
    from recunlearn.grouping.laser import group_users

    ordered = embeddings.sort_values("user")
    if not np.array_equal(ordered["user"].to_numpy(), np.arange(len(ordered))):
        raise DataValidationError("grp_embeddings: column 'user' must hold ids 0..N-1 once each")
    vectors = ordered.drop(columns=["user"]).to_numpy(np.float64)
    cfg = validate_grouping(grouping, len(vectors))
    outcome = group_users(_learning_rows(train), vectors, cfg, seed)
    log = dict(outcome.log)
    log["seconds"] = walks_summary["seconds"] | log["seconds"]
    log["config"] = cfg.model_dump()
    logger.info("Groupings: sizes %s, iterations %s", log["sizes"], log["iterations"])
    return outcome.user_groups(), outcome.cohesion, log


def plot_grouping(cohesion: pd.DataFrame, log: dict[str, Any]) -> tuple[Any, Any]:
    """Fig. 9 (k-means vs balanced group sizes) and Fig. 12 (BKM vs CBKM cohesion).

    Two matplotlib figures (typed ``Any``: Kedro resolves every node's hints when it
    builds the catalog, and naming ``Figure`` here would import matplotlib for every run).
    """
    from recunlearn.grouping.balanced import ceiling
    from recunlearn.grouping.laser import GROUPINGS
    from recunlearn.grouping.plots import cohesion_figure, group_size_figure

    sizes = {name: log["sizes"][name] for name in ("kmeans", *GROUPINGS[1:])}
    bound = ceiling(log["n_users"], log["n_groups"])
    return group_size_figure(sizes, bound), cohesion_figure(cohesion, ("bkm", "cbkm"))
