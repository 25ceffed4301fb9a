"""Which (backbone, method) cells the DAG holds, per configuration environment.

The pipelines are built from a :class:`~recunlearn.grid.GridConfig`: the ``grid`` block
of the environment's parameters (``conf/<env>/parameters.yml``), handed over by
:class:`~recunlearn.hooks.GridHook` when Kedro creates the context and before it asks
for the pipelines, so ``kedro run --env laser`` runs LASER's backbones and methods and
the default run the IFRU/AltEraser grid. Without a session (kedro-viz, notebooks,
tests) the default grid is used.
"""

from __future__ import annotations

from collections.abc import Iterable

from recunlearn.grid import GridConfig
from recunlearn.unlearning import METHOD_SPECS

__all__ = ["active_grid", "methods_on", "set_active_grid"]


def methods_on(backbone: str, methods: Iterable[str]) -> list[str]:
    """The ``methods`` that can run on ``backbone`` (``supported_backbones``): a grid
    cell a method refuses (IFRU on ENMF) is left out of the DAG, not run."""
    return [m for m in methods if METHOD_SPECS[m].supports(backbone)]


_ACTIVE: dict[str, GridConfig] = {}


def active_grid() -> GridConfig:
    """The grid of the running session's environment (the default one outside a session)."""
    return _ACTIVE.get("grid", GridConfig())


def set_active_grid(grid: GridConfig) -> None:
    """The grid the pipelines are built from until the next call."""
    _ACTIVE["grid"] = grid
