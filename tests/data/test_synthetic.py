"""The synthetic dataset: seeded, sized by parameter, power-law, learnable labels."""

import numpy as np
import pytest

from recunlearn.data.raw_formats import dataset_spec
from recunlearn.data.synthetic import (
    SyntheticConfig,
    synthetic_config_for,
    synthetic_interactions,
    zipf_weights,
)
from recunlearn.datasets.raw_ratings import RawRatingsDataset
from recunlearn.errors import ParameterError
from recunlearn.parameters import IngestionConfig
from recunlearn.pipelines.ingestion.nodes import clean_ratings

SMALL = SyntheticConfig(n_interactions=20_000, n_users=400, n_items=300, seed=3)


def test_sizes_are_exact_and_pairs_distinct():
    table = synthetic_interactions(SMALL)
    assert len(table) == 20_000
    assert not table.duplicated(["user", "item"]).any()
    assert table["user"].between(0, 399).all() and table["item"].between(0, 299).all()
    assert set(table["label"].unique()) == {0, 1}


def test_same_seed_same_table_other_seed_other_table():
    first, again = synthetic_interactions(SMALL), synthetic_interactions(SMALL)
    other = synthetic_interactions(SMALL.model_copy(update={"seed": 4}))
    assert first.equals(again)
    assert not first.equals(other)


def test_zipf_weights_are_the_closed_form_in_shuffled_order():
    weights = zipf_weights(400, 0.8, np.random.default_rng(0))
    ranks = np.arange(1, 401, dtype=float)
    expected = ranks**-0.8 / (ranks**-0.8).sum()
    np.testing.assert_allclose(np.sort(weights)[::-1], expected, rtol=1e-12)
    assert not np.all(np.diff(weights) <= 0)  # ids do not follow ranks


def test_activity_and_popularity_are_heavy_tailed():
    """The top 10 % of users (items) hold far more than 10 % of the rows.

    Zipf(0.8) puts 50 % of the draws on the top 10 % of 400 users; distinctness
    caps the heaviest users at 300 items, so the table keeps a bit less.
    """
    table = synthetic_interactions(SMALL)
    users = np.sort(table.groupby("user").size().to_numpy())[::-1]
    items = np.sort(table.groupby("item").size().to_numpy())[::-1]
    assert users[:40].sum() / len(table) > 0.25
    assert items[:30].sum() / len(table) > 0.25
    uniform = synthetic_interactions(
        SMALL.model_copy(update={"activity_exponent": 0.0, "popularity_exponent": 0.0})
    )
    assert np.sort(uniform.groupby("user").size().to_numpy())[::-1][:40].sum() < 0.13 * 20_000


def test_labels_follow_the_latent_factors():
    """An MF fitted by SVD of the +1/-1 labels ranks held-out rows above chance."""
    table = synthetic_interactions(SMALL)
    train, test = table.iloc[:15_000], table.iloc[15_000:]
    matrix = np.zeros((400, 300))
    matrix[train["user"], train["item"]] = 2.0 * train["label"] - 1.0
    u, s, vt = np.linalg.svd(matrix, full_matrices=False)
    scores = ((u[:, :16] * s[:16]) @ vt[:16])[test["user"], test["item"]]
    positive = test["label"].to_numpy() == 1
    wins = (scores[positive][:, None] > scores[~positive][None, :]).mean()
    assert wins > 0.6
    assert table["label"].mean() == pytest.approx(0.5, abs=0.03)


def test_dataset_names_give_sizes():
    assert synthetic_config_for("synthetic").n_interactions == 100_000
    assert synthetic_config_for("synthetic-1e6").n_interactions == 1_000_000
    assert synthetic_config_for("synthetic-2500").n_interactions == 2500
    assert synthetic_config_for("ml-100k") is None
    with pytest.raises(ParameterError, match="synthetic-2.5"):
        synthetic_config_for("synthetic-2.5")


def test_too_few_pairs_is_a_clear_error():
    with pytest.raises(ValueError, match="n_users \\* n_items"):
        SyntheticConfig(n_interactions=1000, n_users=10, n_items=10)


def test_catalog_dataset_loads_and_cleans(tmp_path):
    raw = RawRatingsDataset("synthetic-5000", str(tmp_path)).load()
    assert list(raw.columns) == ["user", "item", "rating", "timestamp"] and len(raw) == 5000
    clean, log, _ = clean_ratings(raw, "synthetic-5000", IngestionConfig(k_core=2))
    assert log["threshold"] == 1.0 and 0.4 < log["positive_rate"] < 0.6
    assert (clean["label"] == clean["rating"]).all()
    assert dataset_spec("synthetic-5000").generate is not None
    assert list(tmp_path.iterdir()) == []  # nothing written
