"""Collaborative cohesion (LASER Eq. 3) on hand-worked examples."""

import numpy as np
import pytest

from recunlearn.grouping.cohesion import cohesion, cohesion_ranks, cohesion_table, group_cohesion

# A 3-4-5 triangle: d(a, b) = 3, d(a, c) = 4, d(b, c) = 5. Ordered pairs of distinct
# users: 2 * (1/3 + 1/4 + 1/5) = 47/30; divided by |g| = 3: 47/90.
TRIANGLE = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 4.0]])
TRIANGLE_RHO = 47 / 90


def test_cohesion_of_the_3_4_5_triangle():
    assert cohesion(TRIANGLE) == pytest.approx(TRIANGLE_RHO, rel=1e-12)


def test_blocked_distances_give_the_same_sum():
    points = np.random.default_rng(0).normal(size=(37, 5))
    assert cohesion(points, block_elements=1) == pytest.approx(cohesion(points), rel=1e-12)


def test_fewer_than_two_users_have_no_cohesion():
    assert cohesion(TRIANGLE[:1]) == 0.0
    assert cohesion(TRIANGLE[:0]) == 0.0


def test_identical_vectors_give_a_finite_similarity():
    assert np.isfinite(cohesion(np.zeros((2, 3))))


def test_group_cohesion_measures_each_group_on_its_members():
    # Group 0 is the triangle; group 1 two points at distance 2: 2 * (1/2) / 2 = 1/2.
    points = np.vstack([TRIANGLE, [[10.0, 0.0], [12.0, 0.0]]])
    labels = np.array([0, 0, 0, 1, 1])
    np.testing.assert_allclose(
        group_cohesion(points, labels, 3), [TRIANGLE_RHO, 0.5, 0.0], rtol=1e-12
    )


def test_rank_zero_is_the_most_cohesive_group_and_ties_go_by_group_id():
    assert cohesion_ranks(np.array([0.2, 0.9, 0.2, 0.5])).tolist() == [2, 0, 3, 1]


def test_cohesion_table_columns_and_values():
    points = np.vstack([TRIANGLE, [[10.0, 0.0], [12.0, 0.0]]])
    groupings = {"bkm": np.array([0, 0, 0, 1, 1]), "cbkm": np.array([1, 1, 1, 0, 0])}
    table = cohesion_table(points, groupings, 2)
    assert list(table.columns) == ["grouping", "group", "size", "cohesion", "rank"]
    bkm = table[table["grouping"] == "bkm"]
    assert bkm["size"].tolist() == [3, 2]
    assert bkm["rank"].tolist() == [0, 1]  # 47/90 > 1/2
    cbkm = table[table["grouping"] == "cbkm"]
    np.testing.assert_allclose(cbkm["cohesion"], [0.5, TRIANGLE_RHO], rtol=1e-12)
    assert cbkm["rank"].tolist() == [1, 0]
