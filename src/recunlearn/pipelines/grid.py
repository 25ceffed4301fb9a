"""Which (backbone, method) cells the DAG holds, per configuration environment.

The pipelines are built from a :class:`~recunlearn.grid.GridConfig`, the ``grid`` block
of the environment's parameters (``conf/<env>/parameters.yml``), handed to every
grid-shaped ``create_pipeline(grid)`` by :func:`recunlearn.pipeline_registry.register_pipelines`.
In a session, :class:`~recunlearn.hooks.GridHook` sets the environment's grid when Kedro
creates the context and makes Kedro build the pipelines again from it, so the DAG's
shape does not depend on when they were first asked for. Without a session (kedro-viz
on a bare project, notebooks, tests) the grid of ``conf/base`` is read: the default
grid lives only in configuration.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

from recunlearn.grid import GridConfig
from recunlearn.unlearning import METHOD_SPECS

__all__ = ["active_grid", "base_grid", "methods_on", "set_active_grid"]

PROJECT_CONF = Path(__file__).resolve().parents[3] / "conf"
"""The project's configuration folder (``<project>/conf``, beside ``src/``)."""


def methods_on(backbone: str, methods: Iterable[str]) -> list[str]:
    """The ``methods`` that can run on ``backbone`` (``supported_backbones``): a grid
    cell a method refuses (IFRU on ENMF) is left out of the DAG, not run."""
    return [m for m in methods if METHOD_SPECS[m].supports(backbone)]


@cache
def base_grid(conf_source: Path = PROJECT_CONF) -> GridConfig:
    """The ``grid`` of ``conf_source``'s base environment (``conf/base/parameters.yml``)."""
    from kedro.config import OmegaConfigLoader

    loader = OmegaConfigLoader(str(conf_source), base_env="base", default_run_env="base")
    return GridConfig.model_validate(loader["parameters"]["grid"])


_SESSION_GRID: dict[str, GridConfig] = {}


def active_grid() -> GridConfig:
    """The running session's grid (set by ``GridHook``), else the base configuration's."""
    return _SESSION_GRID.get("grid") or base_grid()


def set_active_grid(grid: GridConfig) -> None:
    """The grid :func:`active_grid` returns from now on (``GridHook`` calls it)."""
    _SESSION_GRID["grid"] = grid
