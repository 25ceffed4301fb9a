"""The IFRU paper's AUC_0 / AUC_1 / AUC_2 (Section 4.1.3) on the test rows."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from recunlearn.predictions.auc import auc

logger = logging.getLogger(__name__)

SUBSETS = {
    "auc_0": "test rows",
    "auc_1": "test rows whose user or item is in V(D_r)",
    "auc_2": "test rows whose user and item are both in V(D_r)",
}


def forget_nodes(forget: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """V(D_r): the users and items that have a row in the forget set."""
    return np.unique(forget["user"].to_numpy()), np.unique(forget["item"].to_numpy())


def undefined_reason(labels: np.ndarray) -> str | None:
    """Why the AUC of rows with ``labels`` is undefined, or None when it is defined."""
    labels = np.asarray(labels).astype(bool)
    if labels.size == 0:
        return "there are none"
    if labels.all() or not labels.any():
        return f"all {labels.size} are {'positive' if labels.all() else 'negative'}"
    return None


def auc_variants(test: pd.DataFrame, scores: np.ndarray, forget: pd.DataFrame) -> dict[str, float]:
    """AUC_0 on all test rows, AUC_1 on rows whose user OR item is in V(D_r), AUC_2 AND.

    A variant whose rows are absent or of one class is NaN, with a warning saying why.
    """
    users, items = forget_nodes(forget)
    user_in = test["user"].isin(users).to_numpy()
    item_in = test["item"].isin(items).to_numpy()
    labels = test["label"].to_numpy()
    masks = {"auc_0": np.ones(len(test), dtype=bool), "auc_1": user_in | item_in}
    masks["auc_2"] = user_in & item_in
    result = {}
    for name, mask in masks.items():
        reason = undefined_reason(labels[mask])
        if reason is not None:
            logger.warning(
                "%s is undefined (NaN): of the %s, %s", name.upper(), SUBSETS[name], reason
            )
        result[name] = auc(labels[mask], scores[mask]) if reason is None else float("nan")
    return result
