"""Behavioural checks: is the forgotten behaviour still visible in what the model does?

- :func:`poison_agreement`: the share of D_r rows (label-flip) whose predicted label
  still agrees with the flipped label (Original high, Retrain near its error rate).
- :func:`fake_exposure`: the injected fake items' exposure in their users' top-K lists
  (noise injection): the share of fake rows in the list and their mean rank.
- :func:`genre_share`: a genre's share of the users' top-K lists (``category`` requests).
- :func:`group_ndcg`: NDCG@K of each demographic group (gender, age band:
  :func:`recunlearn.data.metadata.age_band`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recunlearn.models.scoring import ScoringModel
from recunlearn.predictions import score_rows


def poison_agreement(model: ScoringModel, forget: pd.DataFrame) -> float:
    """Share of ``forget`` rows whose predicted label (logit > 0) equals their (flipped) label."""
    if forget.empty:
        return float("nan")
    predicted = score_rows(model.eval(), forget) > 0
    return float(np.mean(predicted == (forget["label"].to_numpy() == 1)))


def fake_exposure(top: np.ndarray, users: np.ndarray, fakes: pd.DataFrame) -> dict[str, float]:
    """Exposure of the fake (user, item) rows in the top-K lists ``top`` of ``users``
    (row r of ``top`` is user ``users[r]``'s list, best first).

    ``fake_share``: the share of fake rows found in their user's list; ``fake_mean_rank``:
    the mean 1-based rank of those found (NaN when none is).
    """
    position = {int(user): row for row, user in enumerate(users)}
    ranks = []
    for user, item in zip(fakes["user"].to_numpy(), fakes["item"].to_numpy(), strict=True):
        found = np.flatnonzero(top[position[int(user)]] == item)
        if found.size:
            ranks.append(int(found[0]) + 1)
    return {
        "fake_share": len(ranks) / len(fakes) if len(fakes) else float("nan"),
        "fake_mean_rank": float(np.mean(ranks)) if ranks else float("nan"),
    }


def genre_share(top: np.ndarray, genre_items: np.ndarray) -> float:
    """Share of the entries of the top-K lists ``top`` that are items of the genre."""
    if top.size == 0:
        return float("nan")
    return float(np.isin(top, genre_items).mean())


def user_ndcg(top: np.ndarray, users: np.ndarray, test: pd.DataFrame, k: int) -> np.ndarray:
    """NDCG@k of each row of ``top`` (user ``users[r]``'s list; relevant: the user's positive
    ``test`` rows; gains 1/log2(rank + 1)); NaN for a user without one."""
    positives = test[test["label"] == 1]
    width = int(max(top.max(initial=0), positives["item"].max() if len(positives) else 0)) + 1
    keys = positives["user"].to_numpy(np.int64) * width + positives["item"].to_numpy(np.int64)
    listed = top[:, :k].astype(np.int64)
    hits = np.isin(np.asarray(users, np.int64)[:, None] * width + listed, keys)
    discounts = 1.0 / np.log2(np.arange(2, listed.shape[1] + 2))
    counts = positives["user"].value_counts().reindex(users).fillna(0).to_numpy(np.int64)
    ideal = np.r_[np.nan, np.cumsum(discounts)][np.minimum(counts, listed.shape[1])]
    return hits @ discounts / ideal


def group_ndcg(
    top: np.ndarray,
    users: np.ndarray,
    test: pd.DataFrame,
    groups: pd.Series,
    k: int,
    per_user: np.ndarray | None = None,
) -> dict[str, float]:
    """NDCG@k of each group's users (``groups``: a label per user id; rows of ``top`` are
    ``users``' lists; relevant: the user's positive ``test`` rows), keyed by group label;
    ``per_user``: :func:`user_ndcg`, when already computed."""
    values = user_ndcg(top, users, test, k) if per_user is None else per_user
    labels = groups.reindex(users).to_numpy()
    out = {}
    for group in sorted(pd.unique(labels[pd.notna(labels)])):
        mine = values[labels == group]
        out[str(group)] = float(np.nanmean(mine)) if np.isfinite(mine).any() else float("nan")
    return out
