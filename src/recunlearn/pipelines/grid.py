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
from recunlearn.unlearning.stream_config import StreamConfig

__all__ = [
    "active_grid",
    "active_stream",
    "base_grid",
    "methods_on",
    "set_active_grid",
    "set_active_stream",
]

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


@cache
def base_stream(conf_source: Path = PROJECT_CONF) -> StreamConfig:
    """The ``stream`` block of ``conf_source``'s base environment (defaults where absent)."""
    from kedro.config import OmegaConfigLoader

    loader = OmegaConfigLoader(str(conf_source), base_env="base", default_run_env="base")
    return StreamConfig.model_validate(loader["parameters"].get("stream") or {})


_SESSION_GRID: dict[str, GridConfig] = {}
_SESSION_STREAM: dict[str, StreamConfig] = {}


def active_grid() -> GridConfig:
    """The running session's grid (set by ``GridHook``), else the base configuration's."""
    return _SESSION_GRID.get("grid") or base_grid()


def set_active_grid(grid: GridConfig) -> None:
    """The grid :func:`active_grid` returns from now on (``GridHook`` calls it)."""
    _SESSION_GRID["grid"] = grid


def active_stream() -> StreamConfig:
    """The running session's stream settings (set by ``GridHook``), else the base ones:
    they shape the ``stream`` pipeline (one retrain node per checkpoint) and say whether
    ``__default__`` holds it."""
    return _SESSION_STREAM.get("stream") or base_stream()


def set_active_stream(stream: StreamConfig) -> None:
    """The stream settings :func:`active_stream` returns from now on (``GridHook`` calls it)."""
    _SESSION_STREAM["stream"] = stream
