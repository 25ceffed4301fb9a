"""Hypergraph rules (LASER App. A.2) on hand-worked examples, and its memory at ML-1M size."""

import tracemalloc

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from recunlearn.errors import DataValidationError
from recunlearn.grouping import build_hypergraph, rating_matrix


def rows(triples):
    frame = pd.DataFrame(triples, columns=["user", "item", "rating"])
    frame["rating"] = frame["rating"].astype(float)
    frame["label"] = 1
    return frame


# u0 rates i0:5, i1:3; u1 rates i1:4, i2:2; u2 rates i2:1; u3 rates i3:4 (own component);
# u4 has no row.
HAND = rows([(0, 0, 5), (0, 1, 3), (1, 1, 4), (1, 2, 2), (2, 2, 1), (3, 3, 4)])

# Worked by hand. l = 4: e_i = i and the users sharing an item with i; w(i, j) = mean of
# j's ratings on the items of i. e0 = {0, 1}: w(0,0) = (5+3)/2, w(0,1) = r(1, i1) = 4.
# e1 = {0, 1, 2}: r(0, i1) = 3, (4+2)/2 = 3, r(2, i2) = 1. e2 = {1, 2}: r(1, i2) = 2, 1.
# e3 = {3}: 4. e4 = {4}: 1 (no rating: its private virtual item is rated 1).
EXPECTED_L4 = [
    [4, 4, 0, 0, 0],
    [3, 3, 1, 0, 0],
    [0, 2, 1, 0, 0],
    [0, 0, 0, 4, 0],
    [0, 0, 0, 0, 1],
]
# l = 6: members within two co-rating hops, items rated by users within one hop.
# e2 = {0, 1, 2} over items {i1, i2}: r(0, i1) = 3, (4+2)/2 = 3, 1.
EXPECTED_L6 = [
    [4, 3, 1, 0, 0],
    [4, 3, 1, 0, 0],
    [3, 3, 1, 0, 0],
    [0, 0, 0, 4, 0],
    [0, 0, 0, 0, 1],
]
# l = 3: only the one-vertex path, w(i, i) = i's mean rating.
EXPECTED_L3 = np.diag([4, 3, 1, 4, 1])
# l = 5: members of l = 4, items of users within one hop: e0 averages u1 over {i1, i2}.
EXPECTED_L5 = [
    [4, 3, 0, 0, 0],
    [4, 3, 1, 0, 0],
    [0, 3, 1, 0, 0],
    [0, 0, 0, 4, 0],
    [0, 0, 0, 0, 1],
]


@pytest.mark.parametrize(
    ("order", "expected"),
    [(4, EXPECTED_L4), (6, EXPECTED_L6), (3, EXPECTED_L3), (5, EXPECTED_L5)],
)
def test_hyperedges_and_weights_match_the_hand_worked_example(order, expected):
    graph = build_hypergraph(HAND, n_users=5, order=order)
    assert sp.issparse(graph.weights)
    np.testing.assert_allclose(graph.weights.toarray(), expected, rtol=1e-6)
    assert graph.weights.nnz == np.count_nonzero(expected)


def test_a_nan_rating_keeps_its_edge_and_takes_the_users_mean():
    # u2 gets a fake row on i0 (rating unknown): it now shares i0 with u0, and its
    # imputed rating is its own observed mean, 1.
    fake = pd.concat([HAND, rows([(2, 0, np.nan)])], ignore_index=True)
    weights = build_hypergraph(fake, n_users=5, order=4).weights.toarray()
    assert weights[0, 2] == pytest.approx(1.0)
    assert weights[2, 0] == pytest.approx(5.0)  # u0 on items of u2 = {i0, i2}: only i0
    assert weights[2, 2] == pytest.approx(1.0)


def test_zero_ratings_keep_their_members():
    zeros = rows([(0, 0, 0), (1, 0, 0), (1, 1, 2)])
    graph = build_hypergraph(zeros, n_users=2, order=4)
    assert graph.sizes.tolist() == [2, 2]
    dense = graph.weights.toarray()
    assert dense[0].tolist() == [0.0, 0.0]
    assert dense[1].tolist() == pytest.approx([0.0, 1.0])


def test_duplicate_rows_are_averaged():
    duplicated = rows([(0, 0, 2), (0, 0, 4), (1, 0, 1)])
    weights = build_hypergraph(duplicated, n_users=2, order=4).weights.toarray()
    np.testing.assert_allclose(weights, [[3, 1], [3, 1]])


def test_rating_matrix_holds_the_imputed_rows():
    matrix = rating_matrix(pd.concat([HAND, rows([(2, 0, np.nan)])]), n_users=5)
    assert matrix.shape == (5, 4)
    assert matrix[2, 0] == pytest.approx(1.0)
    assert matrix[4].nnz == 0


@pytest.mark.parametrize(
    ("frame", "column"),
    [
        (HAND.drop(columns=["rating"]), "rating"),
        (HAND.assign(user=HAND["user"] + 3), "user"),
        (HAND.assign(rating=-HAND["rating"]), "rating"),
        (HAND.assign(item=HAND["item"].astype(float)), "item"),
    ],
)
def test_bad_rows_name_the_column(frame, column):
    with pytest.raises(DataValidationError, match=column):
        build_hypergraph(frame, n_users=5)


def ml1m_like(seed: int = 0) -> pd.DataFrame:
    """6,040 users with power-law activity (>= 20 rows), 3,706 items with power-law
    popularity, about 600k distinct rows."""
    rng = np.random.default_rng(seed)
    activity = np.minimum(20 + rng.pareto(1.3, 6040) * 60, 2000).astype(np.int64)
    popularity = rng.pareto(1.2, 3706) + 0.05
    users = np.repeat(np.arange(6040), activity)
    items = rng.choice(3706, size=len(users), p=popularity / popularity.sum())
    frame = pd.DataFrame({"user": users, "item": items}).drop_duplicates()
    frame["rating"] = rng.integers(1, 6, len(frame)).astype(float)
    return frame


def test_ml1m_sized_build_stays_sparse_within_the_stated_bound():
    frame = ml1m_like()
    assert 450_000 < len(frame) < 800_000
    item_users = np.bincount(frame["item"].to_numpy()).astype(np.int64)
    n = 6040
    pair_bound = min(n * n, int((item_users**2).sum()))
    tracemalloc.start()
    try:
        graph = build_hypergraph(frame, n_users=n, order=4)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    nnz = graph.weights.nnz
    assert sp.issparse(graph.weights) and graph.weights.format == "csr"
    assert nnz <= pair_bound
    assert graph.nbytes <= 8 * nnz + 4 * (n + 1)
    assert peak <= 16 * nnz + 200 * len(frame) + 4 * n * 64  # 16 nnz(H) + O(nnz(R) + N)
