"""Prediction-space completeness: how much of Original-to-Retrain's change a method reproduces.

The AUC coefficient (m - m_O) / (m_R - m_O) of the IFRU paper (Section 4.2.1) compares
one summary number; two models with the same AUC can predict very differently. In
prediction space the same question reads, for predicted probabilities p on a fixed set
of rows,

    c_pred(m) = 1 - ||p_m - p_R|| / ||p_O - p_R||,

1 for a method that predicts exactly what Retrain predicts, 0 for one that is as far
from Retrain as Original (doing nothing), negative for one that moved further away.
Retrain*'s value (a second retrain, another seed) tells how close two retrains come:
a method cannot be expected to beat it, and when it is near 0 the gap ||p_O - p_R|| is
within seed noise and no coefficient means much.

The rows are the AUC_1 test rows (user or item in V(D_r), where unlearning acts) and D_r
itself. Distances are reported as root mean squares (||.|| / sqrt(n)), so that they read
as probabilities; the coefficient does not depend on that scale.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
import torch

from recunlearn.evaluation.auc import forget_nodes
from recunlearn.models.scoring import ScoringModel
from recunlearn.predictions import score_rows

PREDICTION_SETS = ("auc_1", "forget")
"""Row sets the coefficient is measured on: AUC_1's test rows and D_r."""


def prediction_rows(test: pd.DataFrame, forget: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The AUC_1 test rows (user OR item in V(D_r)) and the forget set D_r."""
    users, items = forget_nodes(forget)
    touching = test["user"].isin(users) | test["item"].isin(items)
    return {"auc_1": test[touching], "forget": forget}


def probabilities(model: ScoringModel, rows: pd.DataFrame) -> np.ndarray:
    """sigmoid(logit) of every (user, item) row, float64."""
    if rows.empty:
        return np.empty(0)
    return 1.0 / (1.0 + np.exp(-score_rows(model, rows)))


def rms_distance(first: np.ndarray, second: np.ndarray) -> float:
    """||first - second|| / sqrt(n); NaN for empty arrays."""
    if first.size == 0:
        return float("nan")
    return float(np.sqrt(np.mean((np.asarray(first) - np.asarray(second)) ** 2)))


def prediction_completeness(
    model: np.ndarray, original: np.ndarray, retrain: np.ndarray, tolerance: float = 1e-12
) -> float:
    """1 - ||p_m - p_R|| / ||p_O - p_R||; NaN when Original and Retrain predict the same."""
    gap = rms_distance(original, retrain)
    if math.isnan(gap) or gap < tolerance:
        return float("nan")
    return 1.0 - rms_distance(model, retrain) / gap


def prediction_metrics(
    model: ScoringModel,
    original: ScoringModel,
    retrain: ScoringModel,
    row_sets: Mapping[str, pd.DataFrame],
) -> dict[str, float]:
    """Per row set ``s``: ``pred_completeness_s``, ``pred_distance_s`` (RMS to Retrain) and
    ``pred_gap_s`` (RMS Original-to-Retrain), for one model.
    """
    out: dict[str, float] = {}
    with torch.no_grad():
        for name, rows in row_sets.items():
            p_m, p_o, p_r = (probabilities(m, rows) for m in (model, original, retrain))
            out[f"pred_completeness_{name}"] = prediction_completeness(p_m, p_o, p_r)
            out[f"pred_distance_{name}"] = rms_distance(p_m, p_r)
            out[f"pred_gap_{name}"] = rms_distance(p_o, p_r)
    return out
