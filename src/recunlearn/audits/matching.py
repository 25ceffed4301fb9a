"""Non-members matched to members on item popularity and user activity.

A membership attack must not win by telling popular items from rare ones: training rows
lean to popular items and active users, held-out rows less so. Each row gets a stratum
(the decile of its item's popularity, the decile of its user's activity, both counted on
the training rows); within every stratum both groups are cut to the same count, chosen at
random, so the two groups have the same strata distribution.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DECILES = 10


def _deciles(counts: pd.Series, keys: pd.Series) -> np.ndarray:
    """Decile (0..9) of each key's count among the counted keys (rank-based, ties averaged);
    keys never counted fall in decile 0."""
    ranks = counts.rank(method="average", pct=True)
    share = keys.map(ranks).fillna(0.0).to_numpy()
    return np.minimum((share * DECILES).astype(np.int64), DECILES - 1)


def strata(rows: pd.DataFrame, train: pd.DataFrame) -> np.ndarray:
    """Stratum id of each row: item-popularity decile * 10 + user-activity decile."""
    popularity = _deciles(train["item"].value_counts(), rows["item"])
    activity = _deciles(train["user"].value_counts(), rows["user"])
    return popularity * DECILES + activity


def match_groups(
    members: pd.DataFrame,
    candidates: pd.DataFrame,
    train: pd.DataFrame,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Positions (sorted) into ``members`` and into ``candidates`` of two equal-sized
    samples with the same count in every stratum (see :func:`strata`)."""
    member_strata, candidate_strata = strata(members, train), strata(candidates, train)
    kept_members, kept_candidates = [], []
    for stratum in np.intersect1d(member_strata, candidate_strata):
        own = np.flatnonzero(member_strata == stratum)
        other = np.flatnonzero(candidate_strata == stratum)
        size = min(len(own), len(other))
        kept_members.append(rng.choice(own, size=size, replace=False))
        kept_candidates.append(rng.choice(other, size=size, replace=False))
    if not kept_members:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    return np.sort(np.concatenate(kept_members)), np.sort(np.concatenate(kept_candidates))
