"""RecEraser's balanced partitions: capacity kept, separated clusters found, vector centroids."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from recunlearn.errors import ParameterError
from recunlearn.unlearning.exact.balanced_partition import (
    balanced_clusters,
    capacity,
    row_labels,
)

CENTRES = np.array([[10.0, 0.0, 0.0], [0.0, 10.0, 0.0], [0.0, 0.0, 10.0]])


def clustered(sizes, rng, spread=0.3) -> tuple[np.ndarray, np.ndarray]:
    """Points around the three CENTRES, ``sizes[c]`` of them around centre c."""
    truth = np.repeat(np.arange(len(sizes)), sizes)
    return CENTRES[truth] + rng.normal(0.0, spread, (len(truth), 3)), truth


def same_clustering(labels: np.ndarray, truth: np.ndarray) -> bool:
    """Equal up to renaming the clusters."""
    return any(
        np.array_equal(np.asarray(perm)[truth], labels)
        for perm in itertools.permutations(range(truth.max() + 1))
    )


def test_capacity_is_the_rounded_up_share_with_its_factor():
    assert capacity(30, 3, 1.2) == 12
    assert capacity(31, 3, 1.2) == 13  # ceil(12.4)
    assert capacity(10, 3, 1.0) == 4  # never below ceil(N / k)


def test_well_separated_clusters_are_recovered(rng):
    points, truth = clustered([10, 10, 10], rng)
    result = balanced_clusters(points, 3, 1.2, 20, rng)
    assert same_clustering(result.labels, truth)


def test_centroids_stay_vectors_equal_to_the_mean_of_their_points(rng):
    points, _ = clustered([8, 8, 8], rng)
    result = balanced_clusters(points, 3, 1.2, 20, rng)
    assert result.centroids.shape == (3, 3)
    for shard in range(3):
        np.testing.assert_allclose(result.centroids[shard], points[result.labels == shard].mean(0))
    assert np.ptp(result.centroids, axis=1).min() > 1.0  # not collapsed to a scalar per shard


def test_no_shard_exceeds_its_capacity_even_when_clusters_are_unbalanced(rng):
    points, _ = clustered([20, 5, 5], rng)  # N = 30, k = 3: capacity 12
    labels = balanced_clusters(points, 3, 1.2, 20, rng).labels
    sizes = np.bincount(labels, minlength=3)
    assert sizes.sum() == 30 and sizes.max() <= 12


def test_more_shards_than_points_is_refused(rng):
    with pytest.raises(ParameterError, match="shards"):
        balanced_clusters(np.zeros((2, 3)), 3, 1.2, 5, rng)


def embedding_tables(rng) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Users 0-8 and items 0-8 in three separated clusters of three (u // 3, i // 3)."""
    users, user_truth = clustered([3, 3, 3], rng, spread=0.1)
    items, item_truth = clustered([3, 3, 3], rng, spread=0.1)
    return users, items, user_truth, item_truth


def test_user_based_partition_keeps_each_users_rows_together(rng):
    users, items, user_truth, _ = embedding_tables(rng)
    rows = pd.DataFrame({"user": np.repeat(np.arange(9), 4), "item": np.tile([0, 3, 6, 8], 9)})
    labels = row_labels("user", rows, users, items, 3, 1.2, 20, rng)
    per_user = pd.Series(labels).groupby(rows["user"]).nunique()
    assert (per_user == 1).all()
    assert same_clustering(labels[::4], user_truth)


def test_item_based_partition_recovers_the_item_clusters(rng):
    users, items, _, item_truth = embedding_tables(rng)
    rows = pd.DataFrame({"user": np.tile([0, 4, 8], 9), "item": np.repeat(np.arange(9), 3)})
    labels = row_labels("item", rows, users, items, 3, 1.2, 20, rng)
    assert same_clustering(labels[::3], item_truth)


def test_interaction_based_partition_recovers_user_item_blocks(rng):
    users, items, _, _ = embedding_tables(rng)
    # rows only inside the three diagonal blocks (user cluster c with item cluster c)
    pairs = [(u, i) for u in range(9) for i in range(9) if u // 3 == i // 3]
    rows = pd.DataFrame(pairs, columns=["user", "item"])
    labels = row_labels("interaction", rows, users, items, 3, 1.2, 20, rng)
    assert same_clustering(labels, rows["user"].to_numpy() // 3)
