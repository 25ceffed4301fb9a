"""Which (backbone, method) cells the DAG holds, per configuration environment.

The pipelines are built from a :class:`GridConfig`: the ``grid`` block of the
environment's parameters (``conf/<env>/parameters.yml``), read by :class:`GridHook`
when Kedro creates the context and before it asks for the pipelines, so
``kedro run --env laser`` runs LASER's backbones and methods and the default run the
IFRU/AltEraser grid. Without a session (kedro-viz, notebooks, tests) the default grid
is used.
"""

from __future__ import annotations

from typing import Any

from kedro.framework.hooks import hook_impl
from pydantic import BaseModel, ConfigDict, field_validator

from recunlearn.models import BACKBONES, DEFAULT_BACKBONES
from recunlearn.unlearning import METHODS

DEFAULT_METHODS = (
    "retrain",
    "retrain_star",
    "ifru",
    "scif",
    "warm_start",
    "alteraser_ah",
    "alteraser_hf",
    "alteraser_adamw",
    "laser",
    "csisa",
    "sisa",
    "receraser",
)


class GridConfig(BaseModel):
    """The backbones and unlearning methods the pipelines instantiate."""

    model_config = ConfigDict(extra="forbid")

    backbones: list[str] = list(DEFAULT_BACKBONES)
    """Names in ``recunlearn.models.BACKBONES``."""
    methods: list[str] = list(DEFAULT_METHODS)
    """Names in ``recunlearn.unlearning.METHODS``; ``retrain`` is always needed."""

    @field_validator("backbones")
    @classmethod
    def _known_backbones(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(BACKBONES))
        if unknown or not value:
            raise ValueError(f"grid.backbones: unknown {unknown}; choose from {sorted(BACKBONES)}")
        return value

    @field_validator("methods")
    @classmethod
    def _known_methods(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(METHODS))
        if unknown:
            raise ValueError(f"grid.methods: unknown {unknown}; choose from {sorted(METHODS)}")
        if "retrain" not in value:
            raise ValueError("grid.methods must include 'retrain' (every metric compares with it)")
        return value

    def needs_grouping(self) -> bool:
        """Whether any method of the grid reads the grouping step's groups."""
        return any(METHODS[m].needs_groups for m in self.methods)


_ACTIVE: dict[str, GridConfig] = {}


def active_grid() -> GridConfig:
    """The grid of the running session's environment (the default one outside a session)."""
    return _ACTIVE.get("grid", GridConfig())


class GridHook:
    """Reads the environment's ``grid`` parameters before the pipelines are built."""

    @hook_impl
    def after_context_created(self, context: Any) -> None:
        parameters = context.config_loader["parameters"]
        _ACTIVE["grid"] = GridConfig.model_validate(parameters.get("grid") or {})
