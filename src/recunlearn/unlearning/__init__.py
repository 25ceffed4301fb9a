"""Unlearning methods behind one interface, listed in an explicit registry.

This package keeps the interface (``base``: context, prepared state, request, outcome),
the inputs it names (``partitions``: row shards; ``user_groups``: the grouping step's
groups), the ground truth (``retrain``: Retrain, Retrain*) and the registry. The
methods live in one room per family: ``influence/`` (IFRU, SCIF), ``finetune/``
(Warm-Start, AltEraser) and ``exact/`` (SISA, RecEraser, LASER, C-SISA). No family
imports another (``tests/test_code_shape.py``).

The registry is light (``recunlearn.lazy_imports``): :data:`METHOD_SPECS` says what the
parameter check and the pipelines need to know of each method (its config type, the
backbones it supports, whether it prepares a state, whether it reads user groups)
without importing torch; :data:`METHODS` gives each method's class, imported when it
is looked up. ``tests/unlearning/test_contract.py`` checks that the two agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import BaseModel

from recunlearn.lazy_imports import LazyRegistry, lazy_exports
from recunlearn.models import PER_ROW_BACKBONES
from recunlearn.unlearning.config import RetrainConfig, RetrainStarConfig
from recunlearn.unlearning.exact.config import (
    DOT_PRODUCT_BACKBONES,
    CSisaConfig,
    LaserAntiConfig,
    LaserBkmConfig,
    LaserConfig,
    LaserRandConfig,
    RecEraserConfig,
    SisaConfig,
)
from recunlearn.unlearning.finetune.config import (
    AltEraserAdamWConfig,
    AltEraserConfig,
    AltEraserHFConfig,
    WarmStartConfig,
)
from recunlearn.unlearning.influence.config import (
    IFRUConfig,
    IFRUGaussNewtonConfig,
    SCIFConfig,
    SCIFGaussNewtonConfig,
)

if TYPE_CHECKING:
    from recunlearn.unlearning.base import UnlearningMethod


@dataclass(frozen=True)
class MethodSpec:
    """What the parameter check and the pipelines know of a method before importing it."""

    implementation: str
    """``"module:Class"`` of its :class:`~recunlearn.unlearning.base.UnlearningMethod`."""
    config_type: type[BaseModel]
    """Its ``unlearning.<name>`` block."""
    prepares: bool = False
    """Whether it learns a state of its own on D (a ``prepare`` node)."""
    needs_groups: bool = False
    """Whether ``prepare`` reads the grouping step's user groups."""
    supported_backbones: frozenset[str] | None = None
    """The backbones it works on (None: every backbone)."""

    def supports(self, backbone: str) -> bool:
        """Whether the method can unlearn from ``backbone``."""
        return self.supported_backbones is None or backbone in self.supported_backbones


def _spec(module: str, name: str, config: type[BaseModel], **traits) -> MethodSpec:
    return MethodSpec(f"recunlearn.unlearning.{module}:{name}", config, **traits)


_INFLUENCE = {"prepares": True, "supported_backbones": PER_ROW_BACKBONES}
"""IFRU and SCIF: the Lanczos estimate that sets their damping is prepared on D."""
_FIXED_DAMPING = {"supported_backbones": PER_ROW_BACKBONES}
_ON_GROUPS = {"prepares": True, "needs_groups": True, "supported_backbones": PER_ROW_BACKBONES}
_ALTERASER_BACKBONES = frozenset({"mf", "lightgcn", "enmf"})

# One entry per column of the report; each class's config defaults match its name,
# and unlearning.<name> in parameters_unlearning.yml overrides them.
METHOD_SPECS: dict[str, MethodSpec] = {
    "retrain": _spec("retrain", "Retrain", RetrainConfig),
    "retrain_star": _spec("retrain", "RetrainStar", RetrainStarConfig),
    "ifru": _spec("influence.ifru", "IFRU", IFRUConfig, **_INFLUENCE),
    "ifru_gn": _spec("influence.ifru", "IFRUGaussNewton", IFRUGaussNewtonConfig, **_FIXED_DAMPING),
    "scif": _spec("influence.scif", "SCIF", SCIFConfig, **_INFLUENCE),
    "scif_gn": _spec("influence.scif", "SCIFGaussNewton", SCIFGaussNewtonConfig, **_FIXED_DAMPING),
    "warm_start": _spec("finetune.warm_start", "WarmStart", WarmStartConfig),
    "alteraser_ah": _spec(
        "finetune.alteraser",
        "AltEraser",
        AltEraserConfig,
        supported_backbones=_ALTERASER_BACKBONES,
    ),
    "alteraser_hf": _spec("finetune.alteraser", "AltEraserHF", AltEraserHFConfig),
    "alteraser_adamw": _spec("finetune.alteraser", "AltEraserAdamW", AltEraserAdamWConfig),
    "laser": _spec("exact.laser", "Laser", LaserConfig, **_ON_GROUPS),
    "laser_rand": _spec("exact.laser", "LaserRand", LaserRandConfig, **_ON_GROUPS),
    "laser_bkm": _spec("exact.laser", "LaserBkm", LaserBkmConfig, **_ON_GROUPS),
    "laser_anti": _spec("exact.laser", "LaserAnti", LaserAntiConfig, **_ON_GROUPS),
    "csisa": _spec("exact.csisa", "CSisa", CSisaConfig, **_ON_GROUPS),
    "sisa": _spec(
        "exact.sisa", "Sisa", SisaConfig, prepares=True, supported_backbones=PER_ROW_BACKBONES
    ),
    "receraser": _spec(
        "exact.receraser",
        "RecEraser",
        RecEraserConfig,
        prepares=True,
        supported_backbones=DOT_PRODUCT_BACKBONES,
    ),
}

METHODS: Mapping[str, type[UnlearningMethod]] = LazyRegistry(METHOD_SPECS)
"""Each method's class by name, imported when looked up (names: :data:`METHOD_SPECS`)."""

__getattr__ = lazy_exports(
    __name__,
    {
        name: "base"
        for name in (
            "PrepareContext",
            "PreparedState",
            "UnlearningMethod",
            "UnlearningOutcome",
            "UnlearningRequest",
            "state_from_payload",
            "state_payload",
        )
    },
)

__all__ = [
    "METHODS",
    "METHOD_SPECS",
    "MethodSpec",
    "PrepareContext",
    "PreparedState",
    "UnlearningMethod",
    "UnlearningOutcome",
    "UnlearningRequest",
    "state_from_payload",
    "state_payload",
]
