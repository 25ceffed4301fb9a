"""Features of a model's outputs for (user, item) rows, as a membership attack sees them.

Per row: the predicted probability, the BCE loss against the row's label, the item's
rank in the user's full list (as a share of the items, 0 = first) and the user's score
statistics (mean and standard deviation of the user's logits over every item).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from recunlearn.models.scoring import ScoringModel
from recunlearn.predictions import score_rows

FEATURES = ("probability", "bce_loss", "rank_share", "user_mean", "user_std")
_EPS = 1e-7


def bce_loss(probability: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Per-row binary cross-entropy of ``probability`` against 0/1 ``labels``."""
    p = np.clip(probability, _EPS, 1 - _EPS)
    return -(labels * np.log(p) + (1 - labels) * np.log(1 - p))


@torch.no_grad()
def _user_statistics(model: ScoringModel, rows: pd.DataFrame, block: int = 512) -> np.ndarray:
    """(rank share, user mean, user std) of every row, users scored a block at a time."""
    users, items = rows["user"].to_numpy(), rows["item"].to_numpy()
    out = np.zeros((len(rows), 3))
    scorer, unique = model.scorer(), np.unique(users)
    for start in range(0, len(unique), block):
        ids = unique[start : start + block]
        scores = scorer.users(torch.as_tensor(ids, device=model.device)).double().cpu().numpy()
        where = np.flatnonzero(np.isin(users, ids))
        position = np.searchsorted(ids, users[where])
        own = scores[position, items[where]]
        out[where, 0] = (scores[position] > own[:, None]).sum(axis=1) / model.n_items
        out[where, 1] = scores.mean(axis=1)[position]
        out[where, 2] = scores.std(axis=1)[position]
    return out


def attack_features(model: ScoringModel, rows: pd.DataFrame) -> np.ndarray:
    """(len(rows), 5) features in the order of :data:`FEATURES`."""
    model.eval()
    logits = score_rows(model, rows)
    probability = 1.0 / (1.0 + np.exp(-logits))
    loss = bce_loss(probability, rows["label"].to_numpy(dtype=np.float64))
    return np.column_stack([probability, loss, _user_statistics(model, rows)])
