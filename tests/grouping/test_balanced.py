"""Balanced grouping (LASER Algorithm 2 with Algorithm 4) and plain k-means."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.metrics import adjusted_rand_score

from recunlearn.grouping import (
    balanced_kmeans,
    balanced_random,
    ceiling,
    greedy_assignment,
    plain_kmeans,
)
from recunlearn.grouping.balanced import squared_distances
from recunlearn.unlearning.exact.balanced_partition import capacity as capacity_with_factor


def literal_greedy(distances: np.ndarray, capacity: int) -> np.ndarray:
    """Algorithm 2, lines 4-9, as written: every pair by ascending distance (ties by
    user, then group); a user takes the first pair whose group still has room."""
    n_users, n_groups = distances.shape
    pairs = sorted((distances[i, j], i, j) for i in range(n_users) for j in range(n_groups))
    labels, room = [-1] * n_users, [capacity] * n_groups
    for _, i, j in pairs:
        if labels[i] < 0 and room[j] > 0:
            labels[i], room[j] = j, room[j] - 1
    return np.array(labels)


def blobs(n_groups: int, per_group: int, seed: int, spread: float = 20.0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_groups, 6)) * spread
    points = np.repeat(centres, per_group, axis=0) + rng.normal(size=(n_groups * per_group, 6))
    return points, np.repeat(np.arange(n_groups), per_group)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(("n_users", "n_groups"), [(7, 3), (12, 5), (9, 2), (6, 6)])
def test_greedy_pass_equals_the_literal_algorithm(seed, n_users, n_groups):
    rng = np.random.default_rng(seed)
    distances = rng.integers(0, 4, size=(n_users, n_groups)).astype(float)  # many ties
    capacity = ceiling(n_users, n_groups)
    np.testing.assert_array_equal(
        greedy_assignment(distances, capacity), literal_greedy(distances, capacity)
    )


@pytest.mark.parametrize(
    ("n_users", "n_groups"), [(10, 3), (11, 4), (17, 5), (8, 1), (9, 9), (30, 7), (100, 8)]
)
def test_no_group_exceeds_the_ceiling(n_users, n_groups):
    points = np.random.default_rng(n_users).normal(size=(n_users, 3))
    result = balanced_kmeans(points, n_groups, max_iter=20, rng=np.random.default_rng(0))
    sizes = np.bincount(result.labels, minlength=n_groups)
    assert len(sizes) == n_groups and sizes.sum() == n_users
    assert sizes.max() <= -(-n_users // n_groups)
    assert 1 <= result.iterations <= 20


@pytest.mark.parametrize(("n_groups", "seed"), [(2, 0), (3, 1), (4, 2), (5, 3), (8, 4)])
def test_equal_well_separated_blobs_are_recovered_exactly(n_groups, seed):
    points, truth = blobs(n_groups, per_group=15, seed=seed)
    result = balanced_kmeans(points, n_groups, max_iter=30, rng=np.random.default_rng(seed))
    assert adjusted_rand_score(truth, result.labels) == 1.0
    assert result.converged


def test_sparse_rows_group_like_their_dense_copy():
    points, _ = blobs(3, per_group=8, seed=5)
    points[np.abs(points) < 10] = 0.0
    dense = balanced_kmeans(points, 3, 30, np.random.default_rng(1))
    sparse = balanced_kmeans(sp.csr_matrix(points), 3, 30, np.random.default_rng(1))
    np.testing.assert_array_equal(dense.labels, sparse.labels)


def test_it_stops_within_tau():
    points = np.random.default_rng(0).normal(size=(200, 4))  # no structure: slow to settle
    capped = balanced_kmeans(points, 8, max_iter=2, rng=np.random.default_rng(0))
    assert capped.iterations == 2 and not capped.converged
    clustered, _ = blobs(4, per_group=10, seed=0)
    settled = balanced_kmeans(clustered, 4, max_iter=30, rng=np.random.default_rng(0))
    assert settled.converged and 2 <= settled.iterations < 30


def test_balanced_random_sizes_differ_by_at_most_one():
    labels = balanced_random(23, 5, np.random.default_rng(0))
    assert sorted(np.bincount(labels).tolist()) == [4, 4, 5, 5, 5]
    other = balanced_random(23, 5, np.random.default_rng(1))
    assert not np.array_equal(labels, other)


def test_plain_kmeans_follows_unequal_clusters_where_balanced_caps_them():
    big, _ = blobs(1, per_group=40, seed=1, spread=0.0)
    small = big[:8] + 100.0
    points = np.vstack([big, small])
    plain = np.sort(np.bincount(plain_kmeans(points, 2, 50, seed=0)))
    balanced = balanced_kmeans(points, 2, 50, np.random.default_rng(0))
    assert plain.tolist() == [8, 40]
    assert np.sort(np.bincount(balanced.labels)).tolist() == [24, 24]


@pytest.mark.parametrize("seed", range(6))
def test_greedy_pass_with_spare_room_equals_the_literal_algorithm(seed):
    """RecEraser's shards have room for capacity_factor (1.2) times their share."""
    rng = np.random.default_rng(seed)
    n_users, n_groups = int(rng.integers(5, 60)), int(rng.integers(2, 7))
    distances = rng.random((n_users, n_groups)).round(1 if seed % 2 else 6)  # ties when coarse
    capacity = capacity_with_factor(n_users, n_groups, 1.2)
    np.testing.assert_array_equal(
        greedy_assignment(distances, capacity), literal_greedy(distances, capacity)
    )


def test_greedy_pass_by_hand():
    # Users 0 and 1 both prefer group 0 (room 1); user 1 is closer, so 0 goes to group 1.
    distances = np.array([[0.5, 0.9], [0.1, 3.0]])
    assert greedy_assignment(distances, capacity=1).tolist() == [1, 0]
    assert greedy_assignment(distances, capacity=2).tolist() == [0, 0]
    distances = np.array([[0.5, 0.9], [0.1, 3.0], [2.0, 0.2], [0.3, 0.4]])
    # pairs by distance: (1,0) (2,1) (3,0) (3,1) (0,0: full) (0,1)
    assert greedy_assignment(distances, capacity=2).tolist() == [1, 0, 1, 0]


def test_squared_distances_of_dense_and_sparse_rows_match_the_definition():
    rng = np.random.default_rng(3)
    points, centroids = rng.normal(size=(9, 4)), rng.normal(size=(3, 4))
    expected = ((points[:, None, :] - centroids[None, :, :]) ** 2).sum(-1)
    np.testing.assert_allclose(squared_distances(points, centroids), expected, atol=1e-12)
    sparse = sp.csr_matrix(np.where(points > 0, points, 0.0))
    expected = ((sparse.toarray()[:, None, :] - centroids[None, :, :]) ** 2).sum(-1)
    np.testing.assert_allclose(squared_distances(sparse, centroids), expected, atol=1e-12)


def test_too_little_room_is_refused():
    with pytest.raises(ValueError, match="cannot hold"):
        greedy_assignment(np.zeros((5, 2)), capacity=2)
