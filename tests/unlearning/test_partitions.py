"""Row partitions keyed by (user, item): found again in any subset of D, in any order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recunlearn.errors import DataValidationError, ParameterError
from recunlearn.unlearning.partitions import (
    RowPartition,
    UserPartition,
    partition_from_payload,
    random_balanced_labels,
)


def rows(pairs) -> pd.DataFrame:
    return pd.DataFrame(pairs, columns=["user", "item"])


def test_labels_follow_the_pairs_whatever_the_row_order():
    table = rows([(0, 1), (2, 0), (1, 1), (0, 0)])
    partition = RowPartition.of_rows(table, np.array([3, 1, 0, 2]), 4, n_items=2)
    shuffled = table.iloc[[3, 1, 0, 2]]
    assert partition.labels_of(shuffled).tolist() == [2, 1, 3, 0]
    kept = partition.restricted_to(table.iloc[[1, 3]])
    assert kept.labels_of(table.iloc[[3, 1]]).tolist() == [2, 1]
    assert len(kept.keys) == 2


def test_rows_unknown_to_the_partition_are_refused_by_name():
    partition = RowPartition.of_rows(rows([(0, 0), (1, 1)]), np.array([0, 1]), 2, n_items=2)
    with pytest.raises(DataValidationError, match=r"mi_train: 1 rows are not in the prepared"):
        partition.labels_of(rows([(0, 0), (1, 0)]))


def test_repeated_pairs_are_refused():
    with pytest.raises(DataValidationError, match="one row per \\(user, item\\) pair"):
        RowPartition.of_rows(rows([(0, 0), (0, 0)]), np.array([0, 1]), 2, n_items=2)


def test_payload_round_trip():
    partition = RowPartition.of_rows(rows([(3, 1), (0, 2)]), np.array([1, 0]), 2, n_items=3)
    again = partition_from_payload(partition.config(), partition.tensors())
    assert isinstance(again, RowPartition) and (again.n_shards, again.n_items) == (2, 3)
    assert np.array_equal(again.keys, partition.keys)
    assert np.array_equal(again.shards, partition.shards)
    groups = UserPartition(np.array([1, 0, 1]), 2)
    again = partition_from_payload(groups.config(), groups.tensors())
    assert isinstance(again, UserPartition) and again.n_shards == 2
    assert np.array_equal(again.labels, groups.labels)


def test_a_user_partition_places_rows_by_their_user_and_refuses_unknown_users():
    groups = UserPartition(np.array([1, 0, 1]), 2)
    assert groups.labels_of(rows([(2, 5), (1, 0), (0, 7)])).tolist() == [1, 0, 1]
    assert groups.restricted_to(rows([(2, 5)])) is groups
    with pytest.raises(ParameterError, match=r"mi_train: rows name users unknown .*\[3\]"):
        groups.labels_of(rows([(3, 0)]))


@pytest.mark.parametrize(("n_rows", "n_shards"), [(10, 3), (7, 7), (5, 10)])
def test_random_balanced_labels_differ_in_size_by_at_most_one(n_rows, n_shards):
    labels = random_balanced_labels(n_rows, n_shards, np.random.default_rng(0))
    sizes = np.bincount(labels, minlength=n_shards)
    assert sizes.sum() == n_rows and sizes.max() - sizes.min() <= 1
    again = random_balanced_labels(n_rows, n_shards, np.random.default_rng(0))
    assert np.array_equal(labels, again)
