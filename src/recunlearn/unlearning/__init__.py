"""Unlearning methods behind one interface, listed in an explicit registry.

This package keeps the interface (``base``: context, request, outcome; ``state``: the
prepared states' common form; ``stream``: requests answered one after another),
the inputs it names (``partitions``: shards of rows or of users; ``user_groups``: the grouping step's
groups), the ground truth (``retrain``: Retrain, Retrain*) and the registry. The
methods live in one room per family: ``influence/`` (IFRU, SCIF), ``finetune/``
(Warm-Start, AltEraser) and ``exact/`` (SISA, RecEraser, LASER, C-SISA). No family
imports another (``tests/test_code_shape.py``).

The registry is light (``recunlearn.lazy_imports``): :data:`METHOD_SPECS` says what the
parameter check and the pipelines need to know of each method (its config type, the
backbones it supports, whether it prepares a state, whether it reads user groups)
without importing torch; :data:`METHODS` gives each method's class, imported when it
is looked up. A variant that differs from a method only in its settings (L-Rand, _IFRU
with Gauss-Newton) is a spec of that method's class with a name, a label and defaults
(``MethodSpec.variant``): its class is ``UnlearningMethod.variant`` of the method's.
``tests/unlearning/test_contract.py`` checks that each spec says what its class does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from recunlearn.lazy_imports import LazyRegistry, import_object, lazy_exports
from recunlearn.models import DOT_PRODUCT_BACKBONES, PER_ROW_BACKBONES
from recunlearn.unlearning.config import RetrainConfig
from recunlearn.unlearning.exact.config import (
    ATTENTION_BACKBONES,
    CSisaConfig,
    LaserConfig,
    RecEraserConfig,
    SisaConfig,
)
from recunlearn.unlearning.finetune.config import AltEraserConfig, WarmStartConfig
from recunlearn.unlearning.influence.config import IFRUConfig, SCIFConfig

if TYPE_CHECKING:
    from recunlearn.unlearning.base import UnlearningMethod

SAME = "same"
"""``backbones`` of a variant that supports what its method supports."""


@dataclass(frozen=True)
class Variant:
    """A registry entry's name, report label and settings over its method's class."""

    name: str
    label: str
    defaults: Mapping[str, Any]
    backbones: frozenset[str] | None | str = SAME


@dataclass(frozen=True)
class MethodSpec:
    """What the parameter check and the pipelines know of a method before importing it."""

    implementation: str
    """``"module:Class"`` of its :class:`~recunlearn.unlearning.base.UnlearningMethod`."""
    config_type: type[BaseModel]
    """Its ``unlearning.<name>`` block."""
    family: str
    """Its family as the class states it (``exact``: complete by construction; the report
    prints "exact" for these and never a completeness coefficient)."""
    prepares: bool = False
    """Whether it learns a state of its own on D (a ``prepare`` node)."""
    needs_groups: bool = False
    """Whether ``prepare`` reads the grouping step's user groups."""
    supported_backbones: frozenset[str] | None = None
    """The backbones it works on (None: every backbone)."""
    variant_of: Variant | None = field(default=None)
    """Set on a registry variant: its name, label and settings over the class."""

    def supports(self, backbone: str) -> bool:
        """Whether the method can unlearn from ``backbone``."""
        return self.supported_backbones is None or backbone in self.supported_backbones

    def variant(
        self,
        name: str,
        label: str,
        *,
        backbones: frozenset[str] | None | str = SAME,
        prepares: bool | None = None,
        **defaults: Any,
    ) -> MethodSpec:
        """This method under another name, label and default settings (checked here,
        so a misspelt setting fails at import); ``backbones`` and ``prepares`` where the
        settings change them (see :meth:`UnlearningMethod.variant`)."""
        self.config_type.model_validate(defaults)
        return replace(
            self,
            prepares=self.prepares if prepares is None else prepares,
            supported_backbones=self.supported_backbones if backbones == SAME else backbones,
            variant_of=Variant(name, label, defaults, backbones),
        )

    def load(self) -> type[UnlearningMethod]:
        """The method's class (imports torch); a variant's class for a variant."""
        method = import_object(self.implementation)
        if self.variant_of is None:
            return method
        variant = self.variant_of
        return method.variant(
            variant.name, variant.label, backbones=variant.backbones, **variant.defaults
        )


def _spec(
    module: str, name: str, config: type[BaseModel], family: str, **traits: Any
) -> MethodSpec:
    return MethodSpec(f"recunlearn.unlearning.{module}:{name}", config, family, **traits)


_PER_ROW = {"supported_backbones": PER_ROW_BACKBONES}
_ON_GROUPS = {"prepares": True, "needs_groups": True, **_PER_ROW}
_RETRAIN = _spec("retrain", "Retrain", RetrainConfig, "ground truth")
_IFRU = _spec("influence.ifru", "IFRU", IFRUConfig, "influence", prepares=True, **_PER_ROW)
_SCIF = _spec("influence.scif", "SCIF", SCIFConfig, "influence", prepares=True, **_PER_ROW)
"""IFRU and SCIF (and their variants): what D and Original determine (neighbourhoods,
per-row curvature, the preconditioner's blocks, a Lanczos damping) is prepared on D."""
_ALTERASER = _spec(
    "finetune.alteraser",
    "AltEraser",
    AltEraserConfig,
    "fine-tuning",
    supported_backbones=DOT_PRODUCT_BACKBONES,
)
_LASER = _spec("exact.laser", "Laser", LaserConfig, "exact", **_ON_GROUPS)

GAUSS_NEWTON = {"hessian": "gauss_newton", "damping_rule": "fixed", "damping": 1.0}
"""Gauss-Newton variants: the positive semi-definite part of the Hessian, a fixed
damping."""

# One entry per column of the report: a method, or a variant of one that differs only
# in its settings. unlearning.<name> in parameters_unlearning.yml overrides the entry's
# settings.
METHOD_SPECS: dict[str, MethodSpec] = {
    "retrain": _RETRAIN,
    "retrain_star": _RETRAIN.variant("retrain_star", "Retrain*", seed_key="star"),
    "ifru": _IFRU,
    "ifru_gn": _IFRU.variant("ifru_gn", "IFRU (Gauss-Newton)", **GAUSS_NEWTON),
    "scif": _SCIF,
    "scif_gn": _SCIF.variant("scif_gn", "SCIF (Gauss-Newton)", **GAUSS_NEWTON),
    "warm_start": _spec("finetune.warm_start", "WarmStart", WarmStartConfig, "fine-tuning"),
    "alteraser_ah": _ALTERASER,
    "alteraser_hf": _ALTERASER.variant(
        "alteraser_hf", "AltEraser (HF-Newton)", backbones=None, optimizer="hf_newton"
    ),
    "alteraser_adamw": _ALTERASER.variant(
        "alteraser_adamw", "AltEraser (AdamW)", backbones=None, optimizer="adamw"
    ),
    "laser": _LASER,
    "laser_rand": _LASER.variant("laser_rand", "LASER (L-Rand)", grouping="rand"),
    "laser_bkm": _LASER.variant("laser_bkm", "LASER (L-BKM)", grouping="bkm"),
    "laser_anti": _LASER.variant("laser_anti", "LASER (anti-SeqTrain)", order="hard_to_easy"),
    "csisa": _spec("exact.csisa", "CSisa", CSisaConfig, "exact", **_ON_GROUPS),
    "sisa": _spec("exact.sisa", "Sisa", SisaConfig, "exact", prepares=True, **_PER_ROW),
    "receraser": _spec(
        "exact.receraser",
        "RecEraser",
        RecEraserConfig,
        "exact",
        prepares=True,
        supported_backbones=ATTENTION_BACKBONES,
    ),
}

EXACT_METHODS = frozenset(name for name, spec in METHOD_SPECS.items() if spec.family == "exact")
"""The methods complete by construction (their ground truth is themselves prepared on
D - D_r): the report judges them on utility and cost, never on a completeness coefficient."""

METHODS: Mapping[str, type[UnlearningMethod]] = LazyRegistry(METHOD_SPECS)
"""Each method's class by name, imported when first looked up and then kept (names:
:data:`METHOD_SPECS`)."""

__getattr__ = lazy_exports(
    __name__,
    {
        "PrepareContext": "base",
        "UnlearningMethod": "base",
        "UnlearningOutcome": "base",
        "UnlearningRequest": "base",
        "PreparedState": "state",
        "state_from_payload": "state",
        "state_payload": "state",
    },
)

__all__ = [
    "EXACT_METHODS",
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
