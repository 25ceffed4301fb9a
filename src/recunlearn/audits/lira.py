"""The per-example likelihood-ratio attack (LiRA, Carlini et al. 2022), row level.

R reference models each train on a random half of a pool of rows, every row in exactly
R/2 of them (:func:`half_memberships`). A row's statistic under a model is the logit of
the model's confidence in the row's own label: ``z`` for label 1, ``-z`` for label 0
(:func:`label_logits`). For each audited row a Gaussian is fitted to that statistic
under the references that did not train on it (``out``) and under those that did
(``in``). Two scores, larger meaning "member":

- ``tail`` (offline): the one-sided Gaussian tail, P(X <= x) under ``out``; needs no
  reference that trained on the row, so it scores rows outside the pool too.
- ``ratio`` (online): log N(x; in) - log N(x; out); defined only for rows of the pool.

The report shows ``tail``: every audited row, member or not, has its eight ``out``
references with R = 16, while ``ratio`` also estimates an ``in`` Gaussian from eight
models, doubling the per-row estimation noise at the low false-positive rates that matter;
``ratio`` stays in the table (``audits.lira.shown`` switches).

Non-members must look like the audited rows: for label-flip rows, held-out rows flipped
the same way and matched on popularity (:mod:`recunlearn.audits.matching`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from recunlearn.models.scoring import ScoringModel
from recunlearn.predictions import auc, score_rows

MIN_STD = 1e-3
"""Floor of a fitted standard deviation, so that identical references do not divide by 0."""


def half_memberships(n_rows: int, n_models: int, rng: np.random.Generator) -> np.ndarray:
    """(n_models, n_rows) bool: which reference model trains on which row; every row in
    exactly n_models / 2 models (an even ``n_models``), chosen independently per row."""
    if n_models < 2 or n_models % 2:
        raise ValueError(f"the number of reference models must be even and >= 2, got {n_models}")
    keys = rng.random((n_models, n_rows))
    order = np.argsort(keys, axis=0)
    member = np.zeros((n_models, n_rows), dtype=bool)
    np.put_along_axis(member, order[: n_models // 2], True, axis=0)
    return member


def label_logits(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Logit of the confidence in each row's own 0/1 label: z for 1, -z for 0."""
    return logits * (2.0 * np.asarray(labels, dtype=np.float64) - 1.0)


@dataclass(frozen=True)
class Gaussians:
    """Per-row mean and standard deviation of the statistic under a set of references."""

    mean: np.ndarray
    std: np.ndarray

    def log_density(self, x: np.ndarray) -> np.ndarray:
        z = (x - self.mean) / self.std
        return -0.5 * z**2 - np.log(self.std) - 0.5 * np.log(2 * np.pi)


def fit_gaussians(statistics: np.ndarray, use: np.ndarray) -> Gaussians:
    """Per column of (n_models, n_rows) ``statistics``: mean and std (ddof 0, floored at
    :data:`MIN_STD`) over the models where ``use`` is True (NaN where none is)."""
    count = use.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(use, statistics, 0.0).sum(axis=0) / count
        variance = np.where(use, (statistics - mean) ** 2, 0.0).sum(axis=0) / count
    return Gaussians(mean, np.maximum(np.sqrt(variance), MIN_STD))


def tail_scores(x: np.ndarray, out: Gaussians) -> np.ndarray:
    """Offline score: P(X <= x) under the ``out`` Gaussian of each row."""
    from scipy.stats import norm

    return norm.cdf(x, loc=out.mean, scale=out.std)


def ratio_scores(x: np.ndarray, inside: Gaussians, out: Gaussians) -> np.ndarray:
    """Online score: log N(x; in) - log N(x; out) of each row."""
    return inside.log_density(x) - out.log_density(x)


def tpr_at_fpr(member_scores: np.ndarray, non_member_scores: np.ndarray, fpr: float) -> float:
    """Share of members scored above the threshold that lets through at most ``fpr`` of the
    non-members (the threshold: the non-members' k-th largest score, k = floor(fpr * n))."""
    ordered = np.sort(non_member_scores)[::-1]
    allowed = int(np.floor(fpr * len(ordered)))
    threshold = ordered[allowed] if allowed < len(ordered) else -np.inf
    return float(np.mean(member_scores > threshold))


def attack_summary(
    member_scores: np.ndarray, non_member_scores: np.ndarray, fprs: Sequence[float]
) -> dict[str, float]:
    """AUC and TPR at each FPR of member against non-member scores."""
    labels = np.r_[np.ones(len(member_scores)), np.zeros(len(non_member_scores))]
    out = {"auc": auc(labels, np.r_[member_scores, non_member_scores])}
    for fpr in fprs:
        out[f"tpr@{fpr:g}"] = tpr_at_fpr(member_scores, non_member_scores, fpr)
    out["n_members"], out["n_non_members"] = len(member_scores), len(non_member_scores)
    return out


@torch.no_grad()
def reference_statistics(references: Sequence[ScoringModel], rows: pd.DataFrame) -> np.ndarray:
    """(len(references), len(rows)) label logits of ``rows`` under every reference model."""
    labels = rows["label"].to_numpy()
    return np.stack([label_logits(score_rows(m.eval(), rows), labels) for m in references])
