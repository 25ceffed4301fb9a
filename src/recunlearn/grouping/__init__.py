"""LASER's Group module: collaborative embedding via hypergraph, balanced grouping.

Framework-free: no Kedro import, no file access. See :mod:`recunlearn.grouping.laser`
for the end-to-end steps and each module for the paper's algorithm it implements.

Its names are imported on first use (``recunlearn.lazy_imports``), so that the
parameter check can read ``grouping.config`` without importing gensim or scipy.
The function ``cohesion`` is imported from ``grouping.cohesion`` (the package
attribute of that name is the submodule).
"""

from recunlearn.lazy_imports import lazy_exports

__getattr__ = lazy_exports(
    __name__,
    {
        "BalancedGrouping": "balanced",
        "balanced_kmeans": "balanced",
        "balanced_random": "balanced",
        "ceiling": "balanced",
        "greedy_assignment": "balanced",
        "plain_kmeans": "balanced",
        "squared_distances": "balanced",
        "cohesion_ranks": "cohesion",
        "cohesion_table": "cohesion",
        "group_cohesion": "cohesion",
        "GroupingConfig": "config",
        "HypergraphConfig": "config",
        "KMeansConfig": "config",
        "WalkConfig": "config",
        "Word2VecConfig": "config",
        "validate_grouping": "config",
        "embed_walks": "embedding",
        "UserHypergraph": "hypergraph",
        "build_hypergraph": "hypergraph",
        "clean_ratings": "hypergraph",
        "rating_matrix": "hypergraph",
        "GROUPINGS": "laser",
        "EmbeddingOutcome": "laser",
        "GroupingOutcome": "laser",
        "collaborative_embedding": "laser",
        "group_users": "laser",
        "cohesion_figure": "plots",
        "group_size_figure": "plots",
        "distinct_per_walk": "walks",
        "sample_walks": "walks",
    },
)

__all__ = [
    "GROUPINGS",
    "BalancedGrouping",
    "EmbeddingOutcome",
    "GroupingConfig",
    "GroupingOutcome",
    "HypergraphConfig",
    "KMeansConfig",
    "UserHypergraph",
    "WalkConfig",
    "Word2VecConfig",
    "balanced_kmeans",
    "balanced_random",
    "build_hypergraph",
    "ceiling",
    "clean_ratings",
    "cohesion_figure",
    "cohesion_ranks",
    "cohesion_table",
    "collaborative_embedding",
    "distinct_per_walk",
    "embed_walks",
    "greedy_assignment",
    "group_cohesion",
    "group_size_figure",
    "group_users",
    "plain_kmeans",
    "rating_matrix",
    "sample_walks",
    "squared_distances",
    "validate_grouping",
]
