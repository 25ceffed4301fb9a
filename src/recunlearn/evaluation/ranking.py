"""Top-K ranking metrics: Recall@K, NDCG@K (binary relevance) and RBO.

Candidates for a user are all items the user has no training row with; the
relevant items are the user's test rows labelled 1.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
import torch

from recunlearn.models.scoring import ScoringModel


@torch.no_grad()
def top_k_items(
    model: ScoringModel, users: np.ndarray, seen: sp.csr_matrix, k: int, chunk: int = 1024
) -> np.ndarray:
    """Each user's ``k`` best-scored items among those not in ``seen``, best first.

    Ties are broken by the lower item id (``torch.topk`` on CPU is not guaranteed
    stable, so a tiny deterministic id penalty would bias scores; instead the sort
    is done with a stable argsort on the scores).
    """
    device, scorer = model.device, model.scorer()
    out = np.empty((len(users), k), dtype=np.int64)
    for start in range(0, len(users), chunk):
        block = users[start : start + chunk]
        scores = scorer.users(torch.as_tensor(block, device=device)).double().cpu().numpy()
        mask = seen[block].toarray().astype(bool)
        scores[mask] = -np.inf
        out[start : start + len(block)] = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return out


def recall_at_k(ranked: np.ndarray, relevant: Sequence[set[int]], k: int) -> float:
    """Mean over users of |top-k ∩ relevant| / |relevant| (users with relevant items)."""
    values = [
        len(set(r[:k].tolist()) & rel) / len(rel)
        for r, rel in zip(ranked, relevant, strict=True)
        if rel
    ]
    return float(np.mean(values)) if values else float("nan")


def ndcg_at_k(ranked: np.ndarray, relevant: Sequence[set[int]], k: int) -> float:
    """Mean over users of DCG@k / IDCG@k with gains 1/log2(rank + 1)."""
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    values = []
    for row, rel in zip(ranked, relevant, strict=True):
        if not rel:
            continue
        hits = np.fromiter((item in rel for item in row[:k]), dtype=bool, count=min(k, len(row)))
        ideal = discounts[: min(len(rel), k)].sum()
        values.append(float(discounts[: len(hits)][hits].sum() / ideal))
    return float(np.mean(values)) if values else float("nan")


def rbo(first: Sequence[int], second: Sequence[int], p: float = 0.9) -> float:
    """Extrapolated rank-biased overlap of two equal-length top-k lists.

    Webber, Moffat & Zobel (2010), Eq. 32 for lists of equal length k:
    RBO_ext = A_k p^k + (1 - p)/p * sum_{d=1..k} A_d p^d, with A_d the overlap of
    the two depth-d prefixes divided by d. It is 1 for identical lists and 0 for
    disjoint ones; we use it because the AltEraser paper reports RBO@k in [0, 1]
    with 1 for identical lists (the truncated sum would cap at 1 - p^k).
    """
    k = min(len(first), len(second))
    if k == 0:
        return float("nan")
    seen_a: set[int] = set()
    seen_b: set[int] = set()
    overlap, total, agreement = 0, 0.0, 0.0
    for depth in range(1, k + 1):
        a, b = first[depth - 1], second[depth - 1]
        if a == b:
            overlap += 1
        else:
            overlap += (a in seen_b) + (b in seen_a)
        seen_a.add(a)
        seen_b.add(b)
        agreement = overlap / depth
        total += agreement * p**depth
    return float(agreement * p**k + (1 - p) / p * total)


def mean_rbo(first: np.ndarray, second: np.ndarray, k: int, p: float = 0.9) -> float:
    """Mean RBO@k over paired rows of two top-K matrices."""
    if len(first) == 0:
        return float("nan")
    return float(
        np.mean(
            [rbo(a[:k].tolist(), b[:k].tolist(), p) for a, b in zip(first, second, strict=True)]
        )
    )
