"""Backbones: an explicit registry and (config, state_dict) round-trips.

This package's namespace is light (``recunlearn.lazy_imports``): the registry's names,
the default backbones and each backbone's training loss are known without importing
torch; the classes and functions below are imported when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from recunlearn.lazy_imports import LazyRegistry, lazy_exports

if TYPE_CHECKING:
    from collections.abc import Mapping

    from recunlearn.models.base import Recommender


class Architecture(Protocol):
    """The architecture fields a backbone is built from (``TrainConfig`` has them all)."""

    embedding_dim: int
    init_std: float
    n_layers: int
    mlp_layers: list[int]


BACKBONES: Mapping[str, type[Recommender]] = LazyRegistry(
    {
        "mf": "recunlearn.models.mf:MatrixFactorization",
        "lightgcn": "recunlearn.models.lightgcn:LightGCN",
        "dmf": "recunlearn.models.dmf:DMF",
        "neumf": "recunlearn.models.neumf:NeuMF",
        "enmf": "recunlearn.models.enmf:ENMF",
    }
)
DEFAULT_BACKBONES: tuple[str, ...] = ("mf", "lightgcn")
"""The backbones the pipelines build when not told otherwise (the default ``kedro run``)."""
PER_ROW_BACKBONES = frozenset({"mf", "lightgcn", "dmf", "neumf"})
"""The backbones whose ``training_loss`` is ``per_row_bce`` (the rest: ``whole_data``)."""

__getattr__ = lazy_exports(
    __name__,
    {
        "AttentionEnsemble": "attention",
        "AveragingEnsemble": "averaging",
        "DMF": "dmf",
        "ENMF": "enmf",
        "GroupedModel": "grouped",
        "LightGCN": "lightgcn",
        "MatrixFactorization": "mf",
        "NeuMF": "neumf",
        "Recommender": "base",
        "Scorer": "scoring",
        "ScoringModel": "scoring",
        "EmbeddingScorer": "scoring",
        "normalized_adjacency": "lightgcn",
        "build_backbone": "building",
        "model_from_payload": "building",
        "model_from_state": "building",
        "model_payload": "building",
        "positive_edges": "building",
    },
)

__all__ = [
    "Architecture",
    "AttentionEnsemble",
    "AveragingEnsemble",
    "BACKBONES",
    "DEFAULT_BACKBONES",
    "DMF",
    "ENMF",
    "GroupedModel",
    "LightGCN",
    "MatrixFactorization",
    "NeuMF",
    "PER_ROW_BACKBONES",
    "Recommender",
    "Scorer",
    "ScoringModel",
    "EmbeddingScorer",
    "build_backbone",
    "model_from_payload",
    "model_from_state",
    "model_payload",
    "normalized_adjacency",
    "positive_edges",
]
