import numpy as np
import pytest

from recunlearn.data.splitting import split_interactions
from recunlearn.errors import DataValidationError, ParameterError


def test_random_split_is_disjoint_and_sized(interactions, rng):
    split = split_interactions(interactions, "random", (0.6, 0.2, 0.2), rng)
    n = len(interactions)
    assert len(split.train) == round(0.6 * n)
    assert len(split.valid) + split.dropped_valid == round(0.2 * n)
    keys = [
        set(zip(p["user"], p["item"], strict=True)) for p in (split.train, split.valid, split.test)
    ]
    assert not (keys[0] & keys[1]) and not (keys[0] & keys[2]) and not (keys[1] & keys[2])


def test_cold_rows_are_dropped_and_counted(interactions, rng):
    frame = interactions.copy()
    frame.loc[len(frame)] = [999, 0, 5.0, 0.0, 1]  # a user with a single row
    split = split_interactions(frame, "random", (0.5, 0.25, 0.25), rng)
    for part in (split.valid, split.test):
        assert part["user"].isin(split.train["user"]).all()
        assert part["item"].isin(split.train["item"]).all()


def test_per_user_split_keeps_each_users_share(interactions, rng):
    split = split_interactions(interactions, "per_user", (0.8, 0.0, 0.2), rng)
    train_share = split.train["user"].value_counts() / interactions["user"].value_counts()
    assert np.all((train_share > 0.7) & (train_share < 0.95))
    assert split.valid.empty


def test_same_rng_same_split(interactions):
    a = split_interactions(interactions, "random", (0.6, 0.2, 0.2), np.random.default_rng(1))
    b = split_interactions(interactions, "random", (0.6, 0.2, 0.2), np.random.default_rng(1))
    assert a.train.equals(b.train) and a.test.equals(b.test)


def test_bad_fractions_name_the_parameter(interactions, rng):
    with pytest.raises(ParameterError, match="ingestion.split.fractions"):
        split_interactions(interactions, "random", (0.6, 0.6, 0.2), rng)


def test_unknown_strategy_names_the_parameter(interactions, rng):
    with pytest.raises(ParameterError, match="ingestion.split.strategy"):
        split_interactions(interactions, "temporal", (0.6, 0.2, 0.2), rng)  # type: ignore[arg-type]


def test_split_that_leaves_test_empty_is_an_error(interactions, rng):
    with pytest.raises(
        DataValidationError,
        match=r"^parameter .ingestion.split.fractions.=\[0.99, 0.0, 0.01\] leaves the test",
    ):
        split_interactions(interactions.head(3), "random", (0.99, 0.0, 0.01), rng)


def test_a_positive_validation_share_that_leaves_validation_empty_is_an_error(interactions, rng):
    """3 rows at 70/10/20: round(0.1 * 3) = 0 validation rows although the share asks some."""
    with pytest.raises(DataValidationError, match=r"leaves the valid split empty on the 3 rows"):
        split_interactions(interactions.head(3), "random", (0.4, 0.1, 0.5), rng)


def test_a_zero_validation_share_leaves_validation_empty_by_design(interactions, rng):
    split = split_interactions(interactions, "random", (0.9, 0.0, 0.1), rng)
    assert split.valid.empty and not split.test.empty
