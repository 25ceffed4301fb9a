"""Collaborative embeddings: Word2Vec on the hypergraph walks (LASER, App. A.4, Alg. 1).

Each walk is a sentence whose words are user ids written as strings; gensim's
Word2Vec learns one vector per user. Training uses one worker and a seed derived
from the run's seed, so two runs give bit-identical vectors (gensim's initial
vectors come from ``seed``, not from Python's string hash; ``PYTHONHASHSEED`` is
still fixed in the tests).
"""

from __future__ import annotations

import numpy as np
from gensim.models import Word2Vec

from recunlearn.grouping.config import Word2VecConfig


def embed_walks(walks: np.ndarray, n_users: int, config: Word2VecConfig, seed: int) -> np.ndarray:
    """B of Algorithm 1: one row per user id, learned from ``walks``.

    Args:
        walks: int array (n_walks, length) of user ids; every user id 0..n_users-1
            must occur at least ``config.min_count`` times (each starts
            ``repetitions`` walks, see ``validate_grouping``).
        n_users: N.
        config: Every Word2Vec setting.
        seed: Word2Vec's seed (already derived for this stream), < 2**31.

    Returns:
        float64 array (N, config.vector_size).
    """
    sentences = walks.astype(str).tolist()
    model = Word2Vec(
        sentences=sentences,
        vector_size=config.vector_size,
        window=config.window,
        min_count=config.min_count,
        sg=config.sg,
        hs=config.hs,
        negative=config.negative,
        ns_exponent=config.ns_exponent,
        sample=config.sample,
        alpha=config.alpha,
        min_alpha=config.min_alpha,
        epochs=config.epochs,
        seed=seed,
        workers=1,
    )
    keys = [str(user) for user in range(n_users)]
    missing = [key for key in keys if key not in model.wv.key_to_index]
    if missing:
        raise ValueError(f"Word2Vec kept no vector for {len(missing)} user(s), e.g. {missing[:3]}")
    return model.wv[keys].astype(np.float64)
