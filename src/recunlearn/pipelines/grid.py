"""Which (backbone, method) cells the DAG holds, per configuration environment.

The pipelines are built from a :class:`~recunlearn.grid.GridConfig`: the ``grid`` block
of the environment's parameters (``conf/<env>/parameters.yml``), read by
:class:`GridHook` when Kedro creates the context and before it asks for the pipelines,
so ``kedro run --env laser`` runs LASER's backbones and methods and the default run the
IFRU/AltEraser grid. Without a session (kedro-viz, notebooks, tests) the default grid
is used.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kedro.framework.hooks import hook_impl

from recunlearn.grid import DEFAULT_METHODS, GridConfig
from recunlearn.unlearning import METHODS

__all__ = ["DEFAULT_METHODS", "GridConfig", "GridHook", "active_grid"]


def methods_on(backbone: str, methods: Iterable[str]) -> list[str]:
    """The ``methods`` that can run on ``backbone`` (``supported_backbones``): a grid
    cell a method refuses (IFRU on ENMF) is left out of the DAG, not run."""
    return [m for m in methods if METHODS[m].supports(backbone)]


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
