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
# Parameters such as ``tuning.storage`` (``sqlite:///data/...``) are relative to the project
# folder, as under ``kedro run``: a script started from benchmarks/ must not open its own.
os.chdir(PROJECT)


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


def run(pipeline: str, params: dict[str, Any] | None = None, env: str | None = None) -> None:
    """``kedro run --pipelines=<pipeline> --params ...`` in-process."""
    bootstrap_project(PROJECT)
    with KedroSession.create(
        project_path=PROJECT, env=env, runtime_params=nested(params)
    ) as session:
        session.run(pipeline_names=[pipeline])


def catalog(params: dict[str, Any] | None = None, env: str | None = None) -> DataCatalog:
    """The project's catalog (latest versions), for loading results and saving figures."""
    bootstrap_project(PROJECT)
    with KedroSession.create(
        project_path=PROJECT, env=env, runtime_params=nested(params)
    ) as session:
        return session.load_context().catalog
