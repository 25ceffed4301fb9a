"""Backbones: an explicit registry and (config, state_dict) round-trips.

This package's namespace is light (``recunlearn.lazy_imports``): the registry's names
and the traits of each backbone that the parameter check and the pipelines read (its
training loss, whether its head is a dot product) are known without importing torch;
the classes and functions below are imported when first used.
``tests/models/test_backbones.py`` checks that each entry's traits are its class's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from recunlearn.lazy_imports import LazyRegistry, import_object, lazy_exports
from recunlearn.models.config import (
    DMFConfig,
    ENMFConfig,
    LightGCNConfig,
    MFConfig,
    NeuMFConfig,
    TrainConfig,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from recunlearn.models.base import Recommender


@dataclass(frozen=True)
class BackboneSpec:
    """What the parameter check and the pipelines know of a backbone before importing it."""

    implementation: str
    """``"module:Class"`` of its :class:`~recunlearn.models.base.Recommender`."""
    config_type: type[TrainConfig]
    """Its ``training.<name>`` block (its class's ``config_type``; no torch to read it)."""
    training_loss: Literal["per_row_bce", "whole_data"] = "per_row_bce"
    """Its class's ``training_loss``."""
    dot_product_head: bool = True
    """Its class's ``dot_product_head``."""

    def load(self) -> Any:
        """The backbone's class (imports torch)."""
        return import_object(self.implementation)


# One entry per backbone; training.<name> in parameters_training.yml sets its architecture.
BACKBONE_SPECS: dict[str, BackboneSpec] = {
    "mf": BackboneSpec("recunlearn.models.mf:MatrixFactorization", MFConfig),
    "lightgcn": BackboneSpec("recunlearn.models.lightgcn:LightGCN", LightGCNConfig),
    "dmf": BackboneSpec("recunlearn.models.dmf:DMF", DMFConfig, dot_product_head=False),
    "neumf": BackboneSpec("recunlearn.models.neumf:NeuMF", NeuMFConfig, dot_product_head=False),
    "enmf": BackboneSpec("recunlearn.models.enmf:ENMF", ENMFConfig, training_loss="whole_data"),
}


def backbone_config(name: str, values: Mapping[str, Any] | TrainConfig) -> TrainConfig:
    """``values`` (a block of ``training.<name>``, or a config) as backbone ``name``'s type.

    Raises:
        KeyError: ``name`` is not a backbone.
        pydantic.ValidationError: a value is invalid or a name is not ``name``'s field.
    """
    if name not in BACKBONE_SPECS:
        raise KeyError(f"unknown backbone {name!r}; choose one of {sorted(BACKBONE_SPECS)}")
    given = values.model_dump() if isinstance(values, TrainConfig) else values
    return BACKBONE_SPECS[name].config_type.model_validate(given)


BACKBONES: Mapping[str, type[Recommender]] = LazyRegistry(BACKBONE_SPECS)
"""Each backbone's class by name, imported when looked up (names: :data:`BACKBONE_SPECS`)."""
PER_ROW_BACKBONES = frozenset(
    name for name, spec in BACKBONE_SPECS.items() if spec.training_loss == "per_row_bce"
)
"""Backbones trained on per-row BCE: the ones influence methods and the sub-model
trainers of exact methods (``stages.train_model``) can handle."""
DOT_PRODUCT_BACKBONES = frozenset(
    name for name, spec in BACKBONE_SPECS.items() if spec.dot_product_head
)
"""Backbones whose logit is the dot product of their propagated embeddings."""

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
        "positive_edges": "base",
        "build_backbone": "building",
        "model_from_payload": "building",
        "model_from_state": "building",
        "model_payload": "building",
    },
)

__all__ = [
    "AttentionEnsemble",
    "AveragingEnsemble",
    "BACKBONES",
    "BACKBONE_SPECS",
    "BackboneSpec",
    "DMF",
    "DOT_PRODUCT_BACKBONES",
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
    "backbone_config",
    "build_backbone",
    "model_from_payload",
    "model_from_state",
    "model_payload",
    "normalized_adjacency",
    "positive_edges",
]
