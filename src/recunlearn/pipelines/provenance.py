"""Run provenance: stamp every model log with the run id, record the versions read.

:class:`ProvenanceHook` (registered in ``settings.py``) keeps, for one ``kedro run``:

- the run id: Kedro's ``session_id`` (also the save version of everything the run
  writes), merged into every ``{backbone}.{model}.log`` as ``run_id`` just before it is
  saved, so evaluation can tell which run each model comes from;
- the catalog version of every versioned dataset a node loads;

and hands both to the report through the ``run_provenance`` input
(:class:`SessionRecordDataset`, put into the run's catalog before the run starts). When
the run wrote a report, it ends by printing where the report is.
"""

from __future__ import annotations

from typing import Any

import click
from kedro.framework.hooks import hook_impl
from kedro.io import AbstractDataset, DatasetError

RUN_PROVENANCE = "run_provenance"
REPORT_DATASETS = ("rpt_report_md", "rpt_report_html")
LOG_SUFFIX = ".log"


class SessionRecordDataset(AbstractDataset):
    """Read-only view of a :class:`ProvenanceHook`'s record: session id and versions read."""

    def __init__(self, hook: ProvenanceHook) -> None:
        self._hook = hook

    def load(self) -> dict[str, Any]:
        return {"session_id": self._hook.run_id, "versions": dict(self._hook.versions)}

    def save(self, data: Any) -> None:
        raise DatasetError(f"{RUN_PROVENANCE} is filled by ProvenanceHook, not saved")

    def _describe(self) -> dict[str, Any]:
        return {"run_id": self._hook.run_id}


def dataset_version(catalog: Any, name: str) -> str | None:
    """The version ``name`` loads from (None when it is not versioned)."""
    dataset = catalog.get(name) if catalog is not None else None
    resolve = getattr(dataset, "resolve_load_version", None)
    try:
        return resolve() if resolve else None
    except DatasetError:
        return None


def saved_path(catalog: Any, name: str) -> str | None:
    """Where the latest version of ``name`` lies (None when unknown)."""
    dataset = catalog.get(name)
    try:
        return str(dataset._get_load_path())  # noqa: SLF001 (Kedro has no public accessor)
    except (AttributeError, DatasetError):
        return None


class ProvenanceHook:
    """Records the run id in model logs and the catalog versions the run reads."""

    def __init__(self) -> None:
        self.run_id = "unknown"
        self.versions: dict[str, str] = {}
        self._catalog: Any = None

    @hook_impl
    def before_pipeline_run(self, run_params: dict[str, Any], pipeline: Any, catalog: Any) -> None:
        self.run_id = str(run_params["run_id"])
        self.versions = {}
        self._catalog = catalog
        if RUN_PROVENANCE in pipeline.inputs():
            catalog[RUN_PROVENANCE] = SessionRecordDataset(self)

    @hook_impl
    def after_dataset_loaded(self, dataset_name: str, data: Any, node: Any) -> None:
        version = dataset_version(self._catalog, dataset_name)
        if version is not None:
            self.versions[dataset_name] = version

    @hook_impl
    def before_dataset_saved(self, dataset_name: str, data: Any, node: Any) -> None:
        if dataset_name.endswith(LOG_SUFFIX) and isinstance(data, dict):
            data["run_id"] = self.run_id

    @hook_impl
    def after_pipeline_run(
        self, run_params: dict[str, Any], run_result: Any, pipeline: Any, catalog: Any
    ) -> None:
        for name in REPORT_DATASETS:
            if name in pipeline.all_outputs():
                path = saved_path(catalog, name)
                if path:
                    click.echo(f"Report ({name}): {path}")
