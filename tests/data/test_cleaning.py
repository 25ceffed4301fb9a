import itertools

import numpy as np
import pandas as pd
import pytest

from recunlearn.data.cleaning import binarise, clean_interactions, drop_duplicates, k_core, reindex
from recunlearn.errors import DataValidationError


def random_raw(rng, n=400, n_users=40, n_items=30):
    return pd.DataFrame(
        {
            "user": rng.integers(0, n_users, n).astype(str),
            "item": rng.integers(0, n_items, n).astype(str),
            "rating": rng.integers(1, 6, n).astype(float),
            "timestamp": rng.integers(0, 1000, n).astype(float),
        }
    )


@pytest.mark.parametrize("k", [2, 3, 5])
def test_k_core_leaves_every_user_and_item_with_k_rows(rng, k):
    cored = k_core(drop_duplicates(random_raw(rng)), k)
    assert (cored["user"].value_counts() >= k).all()
    assert (cored["item"].value_counts() >= k).all()


def test_k_core_is_the_largest_such_subset(rng):
    raw = drop_duplicates(random_raw(rng, n=60, n_users=8, n_items=8))
    cored = k_core(raw, 3)
    # Every row removed must belong to no 3-core: adding back any single user or item
    # with its rows inside the core still violates the constraint (maximality check
    # on the fixpoint: re-running the filter on core ∪ removed rows yields the core).
    assert (
        k_core(pd.concat([cored, raw.drop(cored.index)]), 3).sort_index().equals(cored.sort_index())
    )


def test_duplicates_keep_the_latest_rating():
    raw = pd.DataFrame(
        {"user": ["a", "a"], "item": ["x", "x"], "rating": [1.0, 5.0], "timestamp": [2.0, 1.0]}
    )
    assert drop_duplicates(raw)["rating"].tolist() == [1.0]


def test_reindex_gives_contiguous_ids_and_their_tokens():
    frame, ids = reindex(pd.DataFrame({"user": ["z", "b", "z"], "item": ["9", "10", "5"]}))
    assert frame["user"].tolist() == [1, 0, 1]
    assert frame["item"].tolist() == [2, 0, 1]  # token order: "10" < "5" < "9"
    assert ids.values.tolist() == [
        ["user", "b", 0],
        ["user", "z", 1],
        ["item", "10", 0],
        ["item", "5", 1],
        ["item", "9", 2],
    ]


@pytest.mark.parametrize(("inclusive", "expected"), [(True, [0, 1, 1]), (False, [0, 0, 1])])
def test_binarise_threshold(inclusive, expected):
    assert binarise(pd.Series([3.0, 4.0, 5.0]), 4.0, inclusive).tolist() == expected


def test_clean_interactions_reports_counts(rng):
    raw = random_raw(rng)
    clean, report, ids = clean_interactions(raw, 4.0, True, 2)
    assert report.rows == len(clean)
    assert report.raw_rows == report.duplicate_rows + report.kcore_removed_rows + report.rows
    assert set(clean["label"].unique()) <= {0, 1}
    assert report.users == clean["user"].nunique()
    assert (ids["kind"] == "item").sum() == report.items


def test_k_core_that_empties_the_table_names_the_parameter(rng):
    with pytest.raises(DataValidationError, match="ingestion.k_core"):
        clean_interactions(random_raw(rng, n=20), 4.0, True, 50)


def test_k_core_on_a_complete_block_keeps_everything():
    pairs = pd.DataFrame(list(itertools.product("abc", "xyz")), columns=["user", "item"])
    assert len(k_core(pairs, 3)) == 9
    assert k_core(pairs, 4).empty
    assert np.all(k_core(pairs, 0).index == pairs.index)
