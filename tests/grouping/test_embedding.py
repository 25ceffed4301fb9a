"""Word2Vec on the walks (LASER App. A.4) and the collaborative embedding end to end."""

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from recunlearn.grouping import (
    GroupingConfig,
    Word2VecConfig,
    balanced_kmeans,
    collaborative_embedding,
    embed_walks,
)


def two_communities() -> pd.DataFrame:
    """Users 0-9 rate items 0-5, users 10-19 rate items 6-11: two disconnected parts."""
    rng = np.random.default_rng(0)
    rows = [
        (user, item, float(rng.integers(1, 6)))
        for user in range(20)
        for item in rng.choice(6, size=4, replace=False) + (0 if user < 10 else 6)
    ]
    return pd.DataFrame(rows, columns=["user", "item", "rating"])


def test_word2vec_vectors_are_identical_across_two_runs():
    walks = np.random.default_rng(0).integers(0, 12, size=(48, 9))
    walks[:12, 0] = np.arange(12)
    config = Word2VecConfig(vector_size=8, epochs=3)
    first = embed_walks(walks, 12, config, seed=11)
    again = embed_walks(walks, 12, config, seed=11)
    other = embed_walks(walks, 12, config, seed=12)
    assert first.shape == (12, 8)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_every_user_gets_a_vector_even_without_rows():
    config = GroupingConfig(word2vec={"vector_size": 4, "epochs": 2})
    outcome = collaborative_embedding(two_communities(), 22, config, seed=1)
    assert outcome.embeddings.shape == (22, 4)
    assert np.isfinite(outcome.embeddings).all()
    assert set(outcome.seconds) == {"hypergraph", "walks", "word2vec"}
    assert outcome.walks_summary["n_walks"] == 22 * 4


def test_disconnected_communities_fall_into_separate_groups():
    config = GroupingConfig(word2vec={"vector_size": 16, "epochs": 20})
    outcome = collaborative_embedding(two_communities(), 20, config, seed=3)
    grouping = balanced_kmeans(outcome.embeddings, 2, 50, np.random.default_rng(0))
    truth = np.repeat([0, 1], 10)
    assert adjusted_rand_score(truth, grouping.labels) == 1.0
