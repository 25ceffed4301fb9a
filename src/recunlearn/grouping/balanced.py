"""Balanced grouping (LASER, Li et al. 2024, Algorithm 2 with Algorithm 4's similarity).

Algorithm 2: every group has the ceiling c = ceil(N / S). Starting from a random
allocation, each round computes the priority of every (user, group) pair, walks the
pairs from the highest priority down and gives user i group j when i has no group
yet in this round and j still has room. It stops once the allocation no longer
changes or after tau rounds. Algorithm 4 (k-means version): priority = closeness to
the group's centroid, i.e. the pairs are sorted by ascending Euclidean distance.

Readings of what the paper leaves open:

- "Randomly allocate" is a balanced random allocation: a random permutation dealt
  round-robin, so sizes differ by at most one. It is also the ``rand`` grouping.
- Ties in distance are broken by user id, then group id (a stable sort).
- A group left empty by a round keeps its previous centroid. With the ceiling only,
  total room exceeds N by fewer than S, so each group holds at least
  N - (S - 1) * ceil(N / S) users: groups are never empty once ceil(N / S) >= S.
- tau bounds the rounds; ``iterations`` counts them (the last one found no change
  when ``converged``).

The greedy pass is exact yet vectorised: in each stage every unplaced user proposes
to its nearest open group; the earliest pair (in the global order) that fills a
group is the threshold, every proposal before it is accepted, and the full group
closes. At most S stages per round.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.cluster import KMeans

Points = np.ndarray | sp.csr_matrix


@dataclass(frozen=True)
class BalancedGrouping:
    """Group labels 0..S-1 per user and how the iteration ended."""

    labels: np.ndarray
    iterations: int
    converged: bool


def ceiling(n_users: int, n_groups: int) -> int:
    """c = ceil(N / S), the most users one group may hold."""
    return -(-n_users // n_groups)


def balanced_random(n_users: int, n_groups: int, rng: np.random.Generator) -> np.ndarray:
    """A random permutation dealt round-robin: sizes differ by at most one."""
    labels = np.empty(n_users, dtype=np.int64)
    labels[rng.permutation(n_users)] = np.arange(n_users) % n_groups
    return labels


def _centroids(points: Points, labels: np.ndarray, previous: np.ndarray | None, n_groups: int):
    """Mean point of every group (a previous centroid for an empty group)."""
    n = points.shape[0]
    member = sp.csr_matrix((np.ones(n), (labels, np.arange(n))), shape=(n_groups, n))
    sums = member @ points
    sums = sums.toarray() if sp.issparse(sums) else np.asarray(sums)
    counts = np.bincount(labels, minlength=n_groups).astype(np.float64)
    centroids = sums / np.maximum(counts, 1.0)[:, None]
    if previous is not None:
        centroids[counts == 0] = previous[counts == 0]
    return centroids


def squared_distances(points: Points, centroids: np.ndarray) -> np.ndarray:
    """N x S squared Euclidean distances; ``points`` may be sparse (never densified)."""
    if sp.issparse(points):
        norms = np.asarray(points.multiply(points).sum(axis=1)).ravel()
    else:
        norms = np.einsum("ij,ij->i", points, points)
    cross = np.asarray(points @ centroids.T)
    distances = norms[:, None] - 2.0 * cross + np.einsum("ij,ij->i", centroids, centroids)
    return np.maximum(distances, 0.0)


def greedy_assignment(distances: np.ndarray, capacity: int) -> np.ndarray:
    """Algorithm 2, lines 4-9: pairs by ascending distance, groups capped at ``capacity``."""
    n_users, n_groups = distances.shape
    if capacity * n_groups < n_users:
        raise ValueError(f"{n_groups} groups of at most {capacity} cannot hold {n_users} users")
    rank = np.empty(distances.size, dtype=np.int64)
    rank[np.argsort(distances, axis=None, kind="stable")] = np.arange(distances.size)
    rank = rank.reshape(n_users, n_groups)
    labels = np.full(n_users, -1, dtype=np.int64)
    room = np.full(n_groups, capacity, dtype=np.int64)
    while (labels < 0).any():
        waiting = np.flatnonzero(labels < 0)
        ranks = np.where(room > 0, rank[waiting], np.iinfo(np.int64).max)
        choice = ranks.argmin(axis=1)
        best = ranks[np.arange(len(waiting)), choice]
        accept = best <= _fill_threshold(choice, best, room)
        labels[waiting[accept]] = choice[accept]
        room -= np.bincount(choice[accept], minlength=n_groups)
    return labels


def _fill_threshold(choice: np.ndarray, best: np.ndarray, room: np.ndarray) -> int:
    """Rank of the earliest proposal that fills a group (max int if none does)."""
    order = np.lexsort((best, choice))
    counts = np.bincount(choice, minlength=len(room))
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    fills = np.flatnonzero((counts >= room) & (room > 0))
    if len(fills) == 0:
        return int(np.iinfo(np.int64).max)
    return int(best[order[starts[fills] + room[fills] - 1]].min())


def balanced_kmeans(
    points: Points, n_groups: int, max_iter: int, rng: np.random.Generator
) -> BalancedGrouping:
    """Algorithm 2 with Algorithm 4: balanced k-means on dense or sparse rows.

    Args:
        points: N x M rows (an embedding, or CSR rating rows for BKM).
        n_groups: S, 1 <= S <= N.
        max_iter: tau, the most rounds.
        rng: Stream of the initial random allocation.

    Returns:
        Labels with at most ceil(N / S) users per group, rounds run, and whether the
        allocation became stable.
    """
    n_users = points.shape[0]
    capacity = ceiling(n_users, n_groups)
    labels = balanced_random(n_users, n_groups, rng)
    centroids = None
    for iteration in range(1, max_iter + 1):
        centroids = _centroids(points, labels, centroids, n_groups)
        updated = greedy_assignment(squared_distances(points, centroids), capacity)
        if np.array_equal(updated, labels):
            return BalancedGrouping(labels, iteration, True)
        labels = updated
    return BalancedGrouping(labels, max_iter, False)


def plain_kmeans(points: np.ndarray, n_groups: int, max_iter: int, seed: int) -> np.ndarray:
    """Unbalanced k-means (k-means++ start, Lloyd iterations) for the Fig. 9 comparison."""
    model = KMeans(n_clusters=n_groups, n_init=1, max_iter=max_iter, random_state=seed)
    return model.fit_predict(points).astype(np.int64)
