"""Collaborative cohesion of a group (LASER, Li et al. 2024, Eq. 3).

    rho(g) = sum_{x, y in g} sim(x, y) / |g|,   sim(x, y) = 1 / ||x - y||_2

Readings: the sum runs over ordered pairs of distinct users (x = y would divide by
zero), so each unordered pair counts twice, as the double sum is written; the divisor
is |g| as printed (not the number of pairs). A group of fewer than two users has
rho = 0. Distances are floored at ``MIN_DISTANCE`` so that two distinct users with
identical vectors give a large but finite similarity. Distances are computed in row
blocks of at most ``BLOCK_ELEMENTS`` entries, so memory stays O(block + N * M).

SeqTrain trains the groups from the highest rho down: ``rank`` 0 is the most
cohesive group of a grouping.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.spatial.distance import cdist

MIN_DISTANCE = 1e-9
BLOCK_ELEMENTS = 1 << 20


def cohesion(points: np.ndarray, block_elements: int = BLOCK_ELEMENTS) -> float:
    """rho of one group whose member vectors are the rows of ``points``."""
    n = len(points)
    if n < 2:
        return 0.0
    rows = max(1, block_elements // n)
    total = 0.0
    for start in range(0, n, rows):
        block = cdist(points[start : start + rows], points)
        block[np.arange(len(block)), start + np.arange(len(block))] = np.inf
        total += float((1.0 / np.maximum(block, MIN_DISTANCE)).sum())
    return total / n


def group_cohesion(embeddings: np.ndarray, labels: np.ndarray, n_groups: int) -> np.ndarray:
    """rho of every group 0..S-1 of ``labels`` (0 for an empty group)."""
    return np.array([cohesion(embeddings[labels == g]) for g in range(n_groups)])


def cohesion_ranks(values: np.ndarray) -> np.ndarray:
    """0 for the highest rho, ties broken by group id."""
    order = np.lexsort((np.arange(len(values)), -values))
    ranks = np.empty(len(values), dtype=np.int64)
    ranks[order] = np.arange(len(values))
    return ranks


def cohesion_table(
    embeddings: np.ndarray, groupings: Mapping[str, np.ndarray], n_groups: int
) -> pd.DataFrame:
    """Columns ``grouping``, ``group``, ``size``, ``cohesion``, ``rank`` for every grouping.

    Args:
        embeddings: N x M collaborative embeddings (every grouping is measured on them).
        groupings: Name -> N labels in 0..S-1.
        n_groups: S.
    """
    frames = []
    for name, labels in groupings.items():
        values = group_cohesion(embeddings, labels, n_groups)
        frames.append(
            pd.DataFrame(
                {
                    "grouping": name,
                    "group": np.arange(n_groups),
                    "size": np.bincount(labels, minlength=n_groups),
                    "cohesion": values,
                    "rank": cohesion_ranks(values),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
