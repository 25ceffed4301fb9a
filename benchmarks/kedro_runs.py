"""Run the project's pipelines from a benchmark script and reach its catalog."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project
from kedro.io import DataCatalog

PROJECT = Path(__file__).resolve().parents[1]
os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "1")


def nested(params: dict[str, Any] | None) -> dict[str, Any]:
    """Dotted keys as nested blocks (``{"runtime.threads": 1}`` -> ``{"runtime": {"threads": 1}}``),
    as ``kedro run --params`` does on the command line."""
    out: dict[str, Any] = {}
    for key, value in (params or {}).items():
        *parents, leaf = key.split(".")
        block = out
        for name in parents:
            block = block.setdefault(name, {})
        block[leaf] = value
    return out


def _bootstrap(project: Path = PROJECT) -> None:
    """The project's settings, with the project folder as the working directory: parameters
    such as ``tuning.storage`` (``sqlite:///data/...``) are relative to it, as under
    ``kedro run``, so a script started from benchmarks/ must not open its own."""
    os.chdir(project)
    bootstrap_project(project)


def run(
    pipeline: str | list[str],
    params: dict[str, Any] | None = None,
    env: str | None = None,
    *,
    hooks: tuple[object, ...] = (),
    project: Path = PROJECT,
) -> None:
    """``kedro run --pipelines=<pipeline> --params ...`` in-process; ``hooks`` join the
    project's own for this run (a benchmark's timers), ``project`` another copy of it."""
    _bootstrap(project)
    with KedroSession.create(
        project_path=project, env=env, runtime_params=nested(params)
    ) as session:
        for hook in hooks:  # KedroSession has no public way to add a hook to one session
            session._hook_manager.register(hook)
        session.run(pipeline_names=[pipeline] if isinstance(pipeline, str) else pipeline)


def catalog(params: dict[str, Any] | None = None, env: str | None = None) -> DataCatalog:
    """The project's catalog (latest versions), for loading results and saving figures."""
    _bootstrap()
    with KedroSession.create(
        project_path=PROJECT, env=env, runtime_params=nested(params)
    ) as session:
        return session.load_context().catalog
