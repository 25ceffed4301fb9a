"""LASER's Group module: collaborative embedding via hypergraph, balanced grouping.

Framework-free: no Kedro import, no file access. See :mod:`recunlearn.grouping.laser`
for the end-to-end steps and each module for the paper's algorithm it implements.
"""

from recunlearn.grouping.balanced import (
    BalancedGrouping,
    balanced_kmeans,
    balanced_random,
    ceiling,
    greedy_assignment,
    plain_kmeans,
    squared_distances,
)
from recunlearn.grouping.cohesion import cohesion, cohesion_ranks, cohesion_table, group_cohesion
from recunlearn.grouping.config import (
    GroupingConfig,
    HypergraphConfig,
    KMeansConfig,
    WalkConfig,
    Word2VecConfig,
    validate_grouping,
)
from recunlearn.grouping.embedding import embed_walks
from recunlearn.grouping.hypergraph import (
    UserHypergraph,
    build_hypergraph,
    clean_ratings,
    rating_matrix,
)
from recunlearn.grouping.laser import (
    GROUPINGS,
    EmbeddingOutcome,
    GroupingOutcome,
    collaborative_embedding,
    group_users,
)
from recunlearn.grouping.plots import cohesion_figure, group_size_figure
from recunlearn.grouping.walks import distinct_per_walk, sample_walks

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
    "cohesion",
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
