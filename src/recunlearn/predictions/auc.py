"""AUC of scores by the rank-sum (Mann-Whitney) formula, ties averaged.

:func:`auc` takes NumPy arrays (SciPy's ranks); :func:`tensor_auc` computes the same
statistic (U over n_pos * n_neg, ties given their average rank) on the tensors' own
device (CPU or CUDA), without SciPy's host round trip.
Twice each average rank is an integer (first + last rank of its tie group), so the
rank sum is exact in int64 and the result is the same float64 number that SciPy's
version returns. On the CPU the sort is NumPy's (about 8x faster than torch's CPU
sort at 2*10^4 to 2*10^6 scores, measured), on CUDA torch's.
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.stats import rankdata


def auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve by the rank-sum (Mann-Whitney) formula, ties averaged.

    Returns NaN when only one class is present (the AUC is undefined).
    """
    labels = np.asarray(labels).astype(bool)
    n_pos = int(labels.sum())
    n_neg = labels.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(np.asarray(scores, dtype=np.float64))
    return float((ranks[labels].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def tensor_auc(labels: torch.Tensor, scores: torch.Tensor) -> float:
    """AUC of ``scores`` for binary ``labels`` (any numeric or bool dtype), ties averaged.

    Returns NaN when only one class is present. One host synchronisation (the result).
    """
    positive = labels.reshape(-1).to(torch.bool)
    n_pos = int(positive.sum())
    n_neg = positive.numel() - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    if scores.device.type == "cpu":
        twice_rank_sum = _twice_rank_sum_numpy(positive.numpy(), scores.reshape(-1).numpy())
    else:
        twice_rank_sum = _twice_rank_sum_torch(positive, scores.reshape(-1))
    return float((twice_rank_sum / 2 - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _twice_rank_sum_torch(positive: torch.Tensor, scores: torch.Tensor) -> int:
    """2 * the sum of the positives' average ranks (1-based), on the scores' device."""
    sorted_scores, order = torch.sort(scores)
    _, counts = torch.unique_consecutive(sorted_scores, return_counts=True)
    last = counts.cumsum(0)
    twice_average_rank = (2 * last - counts + 1).repeat_interleave(counts)
    return int(twice_average_rank[positive[order]].sum())


def _twice_rank_sum_numpy(positive: np.ndarray, scores: np.ndarray) -> int:
    """The same quantity with NumPy on the host."""
    order = np.argsort(scores)
    sorted_scores = scores[order]
    starts = np.flatnonzero(np.r_[True, sorted_scores[1:] != sorted_scores[:-1]])
    counts = np.diff(np.r_[starts, len(scores)])
    last = starts + counts
    twice_average_rank = np.repeat(2 * last - counts + 1, counts)
    return int(twice_average_rank[positive[order]].sum())
