"""LASER's Group module end to end (Li et al. 2024, Sec. 3.2, Algorithms 1-4).

:func:`collaborative_embedding` runs Algorithm 1 (hypergraph, walks, Word2Vec);
:func:`group_users` runs the three groupings of the paper's experiments and measures
their cohesion (Eq. 3) on the collaborative embedding:

- ``rand``: balanced random grouping (L-Rand);
- ``bkm``: balanced k-means on the sparse rating rows of R (L-BKM);
- ``cbkm``: balanced k-means on the collaborative embedding (L-CBKM).

Plain (unbalanced) k-means on the embedding is also run, for the Fig. 9 comparison.
Every random stream is ``numpy_rng(seed, "grouping", <stage>)`` (or ``derive_seed``
with the same keys for gensim and scikit-learn).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from recunlearn.grouping.balanced import (
    balanced_kmeans,
    balanced_random,
    ceiling,
    plain_kmeans,
)
from recunlearn.grouping.cohesion import cohesion_table
from recunlearn.grouping.config import GroupingConfig
from recunlearn.grouping.embedding import embed_walks
from recunlearn.grouping.hypergraph import UserHypergraph, build_hypergraph, rating_matrix
from recunlearn.grouping.walks import distinct_per_walk, sample_walks
from recunlearn.seeding import derive_seed, numpy_rng

GROUPINGS = ("rand", "bkm", "cbkm")


@dataclass(frozen=True)
class EmbeddingOutcome:
    """Collaborative embedding B (N x M), a summary of the walks, seconds per stage."""

    embeddings: np.ndarray
    walks_summary: dict[str, Any]
    seconds: dict[str, float]


@dataclass(frozen=True)
class GroupingOutcome:
    """Labels per grouping (N each), plain k-means labels, cohesion table, run log."""

    labels: dict[str, np.ndarray]
    kmeans: np.ndarray
    cohesion: pd.DataFrame
    log: dict[str, Any]

    def user_groups(self) -> pd.DataFrame:
        """One row per user id: ``user``, ``rand``, ``bkm``, ``cbkm``."""
        n_users = len(self.labels[GROUPINGS[0]])
        return pd.DataFrame({"user": np.arange(n_users), **{g: self.labels[g] for g in GROUPINGS}})


def _hypergraph_summary(hypergraph: UserHypergraph, order: int) -> dict[str, Any]:
    sizes = hypergraph.sizes
    n = hypergraph.n_users
    return {
        "order": order,
        "n_users": n,
        "nnz": int(hypergraph.weights.nnz),
        "density": float(hypergraph.weights.nnz) / float(n * n),
        "mean_edge_size": float(sizes.mean()),
        "max_edge_size": int(sizes.max()),
        "singleton_edges": int((sizes == 1).sum()),
        "bytes": hypergraph.nbytes,
    }


def collaborative_embedding(
    train: pd.DataFrame, n_users: int, config: GroupingConfig, seed: int
) -> EmbeddingOutcome:
    """Algorithm 1: hypergraph (App. A.2), walks (Alg. 3), Word2Vec (App. A.4)."""
    start = time.perf_counter()
    hypergraph = build_hypergraph(train, n_users, config.hypergraph.order)
    built = time.perf_counter()
    rng = numpy_rng(seed, "grouping", "walks")
    walks = sample_walks(hypergraph, config.walks.repetitions, config.walks.depth, rng)
    walked = time.perf_counter()
    w2v_seed = derive_seed(seed, "grouping", "word2vec") % (1 << 31)
    embeddings = embed_walks(walks, n_users, config.word2vec, w2v_seed)
    seconds = {
        "hypergraph": built - start,
        "walks": walked - built,
        "word2vec": time.perf_counter() - walked,
    }
    summary = {
        "n_walks": int(walks.shape[0]),
        "repetitions": config.walks.repetitions,
        "depth": config.walks.depth,
        "mean_distinct_users_per_walk": float(distinct_per_walk(walks).mean()),
        "seconds": seconds,
        "hypergraph": _hypergraph_summary(hypergraph, config.hypergraph.order),
    }
    return EmbeddingOutcome(embeddings=embeddings, walks_summary=summary, seconds=seconds)


def group_users(
    train: pd.DataFrame, embeddings: np.ndarray, config: GroupingConfig, seed: int
) -> GroupingOutcome:
    """Rand, BKM and CBKM groupings (Alg. 2 + 4), plain k-means, cohesion (Eq. 3)."""
    n_users, n_groups, tau = len(embeddings), config.n_groups, config.kmeans.max_iter
    start = time.perf_counter()
    rand = balanced_random(n_users, n_groups, numpy_rng(seed, "grouping", "rand"))
    ratings = rating_matrix(train, n_users)
    bkm = balanced_kmeans(ratings, n_groups, tau, numpy_rng(seed, "grouping", "bkm"))
    cbkm = balanced_kmeans(embeddings, n_groups, tau, numpy_rng(seed, "grouping", "cbkm"))
    kmeans_seed = derive_seed(seed, "grouping", "kmeans") % (1 << 32)
    plain = plain_kmeans(embeddings, n_groups, tau, kmeans_seed)
    grouped = time.perf_counter()
    labels = {"rand": rand, "bkm": bkm.labels, "cbkm": cbkm.labels}
    table = cohesion_table(embeddings, labels, n_groups)
    sizes = {name: np.bincount(v, minlength=n_groups).tolist() for name, v in labels.items()}
    log = {
        "n_users": n_users,
        "n_groups": n_groups,
        "ceiling": ceiling(n_users, n_groups),
        "seconds": {"kmeans": grouped - start, "cohesion": time.perf_counter() - grouped},
        "sizes": sizes | {"kmeans": np.bincount(plain, minlength=n_groups).tolist()},
        "iterations": {"bkm": bkm.iterations, "cbkm": cbkm.iterations},
        "converged": {"bkm": bkm.converged, "cbkm": cbkm.converged},
        "mean_cohesion": table.groupby("grouping")["cohesion"].mean().to_dict(),
    }
    return GroupingOutcome(labels=labels, kmeans=plain, cohesion=table, log=log)
