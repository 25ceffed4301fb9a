"""Top-K ranking on the model's device: candidates, ordering and RBO.

Candidates for a user are all items the user has no training row with. Scores of
a block of users against every item are computed on the model's device, in blocks
of at most ``max_elements`` scores, so memory stays bounded whatever the number of
users; only the top-K ids come back to the host.

Ties are broken by the lower item id, exactly as a stable ``argsort`` of the negated
scores would (the original host implementation): :func:`stable_top_k` takes
``torch.topk``'s K-th value as a threshold, keeps every item above it and the
lowest-id items equal to it, then orders the K kept items with a stable sort.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
import torch

from recunlearn.models.scoring import ScoringModel


def stable_top_k(scores: torch.Tensor, k: int) -> torch.Tensor:
    """Per row, the ids of the ``k`` highest scores, best first, ties by lower id.

    Equal to ``argsort(-scores, stable=True)[:, :k]`` for scores without NaN.
    """
    threshold = torch.topk(scores, k, dim=1).values[:, -1:]
    above = scores > threshold
    tied = scores == threshold
    missing = k - above.sum(dim=1, keepdim=True, dtype=torch.int32)
    first_tied = tied & (tied.cumsum(dim=1, dtype=torch.int32) <= missing)
    ids = (above | first_tied).nonzero()[:, 1].view(len(scores), k)
    order = torch.sort(scores.gather(1, ids), dim=1, descending=True, stable=True).indices
    return ids.gather(1, order)


def _mask_seen(scores: torch.Tensor, seen_rows: sp.csr_matrix) -> None:
    """Set the scores of items in each row's ``seen_rows`` row to -inf, in place."""
    counts = np.diff(seen_rows.indptr)
    rows = np.repeat(np.arange(len(counts)), counts)
    device = scores.device
    index = (
        torch.as_tensor(rows, device=device),
        torch.as_tensor(seen_rows.indices, device=device),
    )
    scores.index_put_(index, torch.tensor(-torch.inf, device=device, dtype=scores.dtype))


@torch.no_grad()
def top_k_tensor(
    model: ScoringModel,
    users: np.ndarray,
    seen: sp.csr_matrix,
    k: int,
    max_elements: int | None = None,
) -> torch.Tensor:
    """Each user's ``k`` best-scored unseen items, best first, on the model's device.

    ``max_elements`` bounds the scores held at once (users per block x items). The
    default is 2^25 on the CPU and 2^27 on CUDA (512 MiB of float32 scores, about
    2.5x that with the block's masks and counts), so memory stays bounded whatever
    the number of users; blocks that large keep the per-block launch cost small.
    """
    device, scorer = model.device, model.scorer()
    if max_elements is None:
        max_elements = 2**27 if device.type == "cuda" else 2**25
    block_rows = max(1, max_elements // max(model.n_items, 1))
    seen_rows = seen[np.asarray(users, dtype=np.int64)]
    parts = []
    for start in range(0, len(users), block_rows):
        block = torch.as_tensor(users[start : start + block_rows], device=device)
        scores = scorer.users(block).float()
        _mask_seen(scores, seen_rows[start : start + block_rows])
        parts.append(stable_top_k(scores, k))
    return torch.cat(parts) if parts else torch.empty((0, k), dtype=torch.long, device=device)


def top_k_items(
    model: ScoringModel,
    users: np.ndarray,
    seen: sp.csr_matrix,
    k: int,
    max_elements: int | None = None,
) -> np.ndarray:
    """:func:`top_k_tensor` as a host array of item ids."""
    return top_k_tensor(model, users, seen, k, max_elements).cpu().numpy()


def relevance_hits(
    top: torch.Tensor, users: np.ndarray, relevant_users: np.ndarray, relevant_items: np.ndarray
) -> tuple[torch.Tensor, torch.Tensor]:
    """Which top-K entries are relevant, and how many relevant items each user has.

    Args:
        top: (len(users), K) item ids on some device.
        users: the sorted, unique user ids whose rows ``top`` holds.
        relevant_users, relevant_items: the relevant (user, item) pairs, without
            duplicates (a user's positive test rows).

    Returns:
        A (len(users), K) bool tensor and a (len(users),) int64 count tensor.
    """
    device, width = top.device, int(top.max()) + 1 if top.numel() else 1
    width = max(width, int(relevant_items.max()) + 1 if len(relevant_items) else 1)
    keep = np.isin(relevant_users, users)
    position = torch.as_tensor(np.searchsorted(users, relevant_users[keep]), device=device)
    items = torch.as_tensor(relevant_items[keep], device=device)
    rows = torch.arange(len(users), device=device)[:, None]
    hits = torch.isin(rows * width + top, position * width + items)
    return hits, torch.bincount(position, minlength=len(users))


def recall_from_hits(hits: torch.Tensor, n_relevant: torch.Tensor, k: int) -> float:
    """Mean over users with relevant items of |top-k ∩ relevant| / |relevant|."""
    scored = n_relevant > 0
    if not bool(scored.any()):
        return float("nan")
    found = hits[scored, :k].sum(dim=1, dtype=torch.float64)
    return float((found / n_relevant[scored]).mean())


def ndcg_from_hits(hits: torch.Tensor, n_relevant: torch.Tensor, k: int) -> float:
    """Mean over users with relevant items of DCG@k / IDCG@k, gains 1/log2(rank + 1)."""
    scored = n_relevant > 0
    if not bool(scored.any()):
        return float("nan")
    width = min(k, hits.shape[1])
    discounts = 1.0 / torch.log2(torch.arange(2, width + 2, dtype=torch.float64))
    ideal_by_count = discounts.cumsum(0).to(hits.device)  # on the host: cumsum of floats on
    discounts = discounts.to(hits.device)  # CUDA has no deterministic kernel
    ideal = ideal_by_count[n_relevant[scored].clamp(max=width) - 1]
    dcg = (hits[scored, :width] * discounts).sum(dim=1)
    return float((dcg / ideal).mean())


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


def prefix_overlaps(first: torch.Tensor, second: torch.Tensor) -> torch.Tensor:
    """|first[u, :d] ∩ second[u, :d]| for every row u and depth d = 1..K, as (U, K) int64.

    Rows hold distinct ids (top-K lists). Item ``first[u, r]`` is in both depth-d
    prefixes iff max(r, its position in ``second[u]``) < d, so the overlaps are the
    cumulative counts of that depth.
    """
    n_rows, k = first.shape
    matches = first[:, :, None] == second[:, None, :]
    positions = torch.arange(k, device=first.device)
    where_in_second = torch.where(matches.any(dim=2), (matches * positions).sum(dim=2), k)
    depth = torch.maximum(positions[None, :], where_in_second)
    counts = torch.zeros((n_rows, k + 1), dtype=torch.int64, device=first.device)
    counts.scatter_add_(1, depth, torch.ones_like(depth))
    return counts[:, :k].cumsum(dim=1)


def mean_rbo(
    first: np.ndarray | torch.Tensor,
    second: np.ndarray | torch.Tensor,
    k: int,
    p: float = 0.9,
    block_rows: int = 2048,
) -> float:
    """Mean RBO@k (extrapolated, as :func:`rbo`) over paired rows of two top-K matrices."""
    if len(first) == 0:
        return float("nan")
    first, second = torch.as_tensor(first)[:, :k], torch.as_tensor(second)[:, :k]
    k = first.shape[1]
    depths = torch.arange(1, k + 1, device=first.device, dtype=torch.float64)
    weights = p**depths
    total = torch.zeros((), dtype=torch.float64, device=first.device)
    for start in range(0, len(first), block_rows):
        stop = start + block_rows
        agreement = prefix_overlaps(first[start:stop], second[start:stop]) / depths
        rbo_rows = agreement[:, -1] * p**k + (1 - p) / p * (agreement * weights).sum(dim=1)
        total += rbo_rows.sum()
    return float(total / len(first))
