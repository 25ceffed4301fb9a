"""RecEraser's balanced partitions of D (Chen et al., WWW 2022, §3.2: UBP, IBP, InBP).

Every partition clusters points with a capacity: each of the ``k`` shards holds at
most ``t = ceil(capacity_factor * N / k)`` points (``capacity_factor`` 1.2), so no
shard grows much beyond N/k and retraining one stays cheap. One iteration:

1. d(n, j) = ||x_n - c_j||^2 for every point n and centroid c_j;
2. all (n, j) pairs in ascending distance; a pair assigns n to j when n is still
   unassigned and j holds fewer than t points (k * t >= N, so every point is placed):
   the same capacity-limited greedy pass as LASER's grouping, so both call
   :func:`recunlearn.grouping.balanced.greedy_assignment` (and its distances);
3. c_j = the mean of the points assigned to j: a vector of the embeddings' size.

Iterations stop when the assignment no longer changes, or after ``iterations``.
The published code reduces the centroids to scalars; here they stay vectors (the
mean of the assigned embeddings), which is what the paper's equations describe.
Centroids start from k-means++ seeding (D^2 sampling from a derived stream) rather
than k uniform anchors, so well-separated clusters are found from the start.

The points are the Original model's ego embeddings: users (UBP: a user's rows all go
to its shard), items (IBP) or interactions (InBP, the default): the concatenation
[p_u; q_i], whose squared distance to a centroid is the sum of its user part's and
its item part's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from recunlearn.errors import ParameterError
from recunlearn.grouping.balanced import greedy_assignment, squared_distances
from recunlearn.unlearning.exact.config import PartitionKind


@dataclass(frozen=True)
class BalancedClusters:
    """Labels of the points and the final centroids (``k`` vectors)."""

    labels: np.ndarray
    centroids: np.ndarray
    iterations: int


def capacity(n_points: int, n_shards: int, factor: float) -> int:
    """t = ceil(factor * N / k), never below ceil(N / k) so every point fits."""
    return max(math.ceil(factor * n_points / n_shards), math.ceil(n_points / n_shards))


def seed_centroids(points: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ seeding: each next centroid drawn with probability proportional to D^2."""
    centroids = points[[rng.integers(len(points))]]
    nearest = squared_distances(points, centroids)[:, 0]
    for _ in range(1, k):
        total = nearest.sum()
        index = (
            rng.choice(len(points), p=nearest / total) if total > 0 else rng.integers(len(points))
        )
        centroids = np.vstack([centroids, points[index]])
        nearest = np.minimum(nearest, squared_distances(points, points[[index]])[:, 0])
    return centroids.astype(np.float64)


def balanced_clusters(
    points: np.ndarray,
    k: int,
    capacity_factor: float,
    iterations: int,
    rng: np.random.Generator,
) -> BalancedClusters:
    """Balanced clustering of ``points`` (N x d) into ``k`` shards of at most t points."""
    points = np.asarray(points, dtype=np.float64)
    if not 1 <= k <= len(points):
        raise ParameterError(f"a balanced partition needs 1 <= shards <= {len(points)}, got {k}")
    limit = capacity(len(points), k, capacity_factor)
    centroids = seed_centroids(points, k, rng)
    labels = np.full(len(points), -1, dtype=np.int64)
    for iteration in range(1, iterations + 1):
        new = greedy_assignment(squared_distances(points, centroids), limit)
        for shard in range(k):
            members = points[new == shard]
            if len(members):
                centroids[shard] = members.mean(0)
        if np.array_equal(new, labels):
            return BalancedClusters(labels, centroids, iteration)
        labels = new
    return BalancedClusters(labels, centroids, iterations)


def interaction_points(
    rows: pd.DataFrame, user_embedding: np.ndarray, item_embedding: np.ndarray
) -> np.ndarray:
    """InBP's points: [p_u; q_i] for every row."""
    users, items = rows["user"].to_numpy(), rows["item"].to_numpy()
    return np.concatenate([user_embedding[users], item_embedding[items]], axis=1)


def row_labels(
    kind: PartitionKind,
    rows: pd.DataFrame,
    user_embedding: np.ndarray,
    item_embedding: np.ndarray,
    k: int,
    capacity_factor: float,
    iterations: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """The shard of every row of ``rows`` under UBP, IBP or InBP."""
    if kind == "interaction":
        points = interaction_points(rows, user_embedding, item_embedding)
        return balanced_clusters(points, k, capacity_factor, iterations, rng).labels
    column, table = ("user", user_embedding) if kind == "user" else ("item", item_embedding)
    present = np.unique(rows[column].to_numpy())
    clusters = balanced_clusters(table[present], k, capacity_factor, iterations, rng)
    lookup = np.full(len(table), -1, dtype=np.int64)
    lookup[present] = clusters.labels
    return lookup[rows[column].to_numpy()]
