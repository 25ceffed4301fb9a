"""The project's Kedro hooks, registered in ``settings.py`` in this order.

- :class:`ParameterTreeHook`: the whole parameter tree is checked before anything is
  built or run;
- :class:`PreflightHook`: what needs the data or the machine (an empty split, more
  ``poisoning.n_users`` than qualify, shards or groups than rows or users, CUDA,
  ``--load-versions``) is checked before the first node runs;
- :class:`GridHook`: the environment's ``grid`` decides which (backbone, method) cells
  the pipelines hold;
- typed parameters: the tree check is the one validation of every ``params:`` value.
  Kedro then builds each ``params:`` input of a node as the node's type hint says
  (its node-hinted parameter validation: ``runtime: RuntimeConfig`` receives a
  ``RuntimeConfig``); a node shared by backbones gets its backbone's own type through
  ``pipelines.node_binding.bound(..., hints=...)`` (``training.lightgcn`` ->
  ``LightGCNConfig``). Node bodies therefore never re-validate a parameter; they
  validate only values that arrive from the catalog (the resolved ``train_config``,
  tuned values). A node called from a notebook takes the same typed objects.
  ``unlearning.<method>`` stays a mapping: a method merges the keys it states over its
  variant's defaults (``laser_rand``), which a full typed block would hide.
- :class:`ProvenanceHook`: for one ``kedro run``, the run id (Kedro's ``session_id``,
  also the save version of everything the run writes) is merged into every
  ``{backbone}.{model}.log`` as ``run_id`` just before it is saved, and the catalog
  version of every versioned dataset a node loads is recorded. Both reach the report
  through the ``run_provenance`` input (a
  :class:`~recunlearn.datasets.session_record.SessionRecordDataset` put into the run's
  catalog before the run starts). When the run wrote a report, it ends by printing
  where the report is.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

import click
from kedro.config import MissingConfigException
from kedro.framework.context import KedroContext
from kedro.framework.hooks import hook_impl
from kedro.io import AbstractVersionedDataset, DatasetError

from recunlearn.cli import user_error
from recunlearn.errors import DataValidationError, ParameterError

REPORT_DATASETS = ("rpt_report_md", "rpt_report_html")
LOG_SUFFIX = ".log"


class ParameterTreeHook:
    """Refuses bad parameters (``conf/*/parameters*.yml`` merged with ``--params``).

    It runs on ``after_context_created``: before the catalog is built, so before
    Kedro's own checks of the node-hinted parameters and before any node (hence any
    write). Nodes receive typed blocks (see the module docstring) and do not validate
    them again.
    """

    @hook_impl
    def after_context_created(self, context: KedroContext) -> None:
        """Raise :class:`~recunlearn.errors.ParameterError` listing every problem."""
        from recunlearn.parameter_tree import check_parameter_tree  # light: no torch

        try:
            params = context.config_loader["parameters"]
        except MissingConfigException:
            return
        check_parameter_tree(params)


class PreflightHook:
    """Refuses what the data at hand or the machine cannot hold, before any node runs.

    It runs on ``before_pipeline_run``, once the run's pipeline and catalog are known
    and before the runner writes anything: the ``--load-versions`` entries must name
    saved versions, and the checks of :mod:`recunlearn.preflight` run on the tables
    the run's steps would see (read from the catalog, never written).
    """

    @hook_impl
    def before_pipeline_run(self, run_params: dict[str, Any], pipeline: Any, catalog: Any) -> None:
        from recunlearn.preflight import RunPlan, check_run
        from recunlearn.run_options import check_load_versions

        check_load_versions(
            run_params.get("load_versions") or {}, lambda name: saved_versions(catalog, name)
        )
        plan = RunPlan(
            frozenset(pipeline.all_outputs()),
            frozenset(pipeline.all_inputs()),
            saved_inputs=project_file_inputs(pipeline, catalog),
        )
        check_run(
            catalog.load("parameters"),
            plan,
            lambda name: load_saved(catalog, name),
            lambda name: saved_path(catalog, name) or name,
        )


def project_file_inputs(pipeline: Any, catalog: Any) -> tuple[str, ...]:
    """The run's free inputs held in the project's own file datasets."""
    from recunlearn.datasets import is_file_dataset

    names = sorted(pipeline.inputs())
    return tuple(n for n in names if is_file_dataset(catalog.get(n)))


def load_saved(catalog: Any, name: str) -> Any:
    """``name``'s content at the version the run would load, or None when none is saved.

    Raises:
        DataValidationError: the file is bad, naming the dataset and the dataset's own
            one-line reason (which names the file).
    """
    if not catalog.exists(name):
        return None
    try:
        return catalog.load(name)
    except DatasetError as error:
        cause = user_error(error)
        if cause is None:
            raise
        raise DataValidationError(f"dataset {name}: {cause}") from error


def saved_versions(catalog: Any, name: str) -> tuple[str, list[str]] | None:
    """(where ``name`` is saved, its saved versions oldest first); None if not versioned."""
    dataset = catalog.get(name)
    if not isinstance(dataset, AbstractVersionedDataset):
        return None
    filepath = dataset._filepath  # noqa: SLF001 (Kedro has no public accessor)
    pattern = str(filepath / "*" / filepath.name)
    found = dataset._glob_function(pattern)  # noqa: SLF001
    return str(filepath), sorted(PurePosixPath(path).parent.name for path in found)


class GridHook:
    """Builds the pipelines from the environment's ``grid`` parameters.

    It sets the grid and makes Kedro register the pipelines again, so a DAG built
    before the context (from the base grid) never outlives it.
    """

    @hook_impl
    def after_context_created(self, context: Any) -> None:
        from kedro.framework.project import pipelines

        from recunlearn.grid import GridConfig
        from recunlearn.parameter_tree import check_parameter_tree
        from recunlearn.pipelines.grid import set_active_grid, set_active_stream
        from recunlearn.unlearning.stream_config import StreamConfig

        parameters = context.config_loader["parameters"]
        if "grid" not in parameters:
            raise ParameterError("grid: missing; conf/base/parameters.yml states the default grid")
        set_active_grid(GridConfig.model_validate(parameters["grid"]))
        stream = parameters.get("stream") or {}
        check_parameter_tree({"stream": stream})  # the stream shapes the DAG: one line first
        set_active_stream(StreamConfig.model_validate(stream))
        pipelines.configure(pipelines._pipelines_module)  # noqa: SLF001 (reload, same module)


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
        from recunlearn.datasets.session_record import RUN_PROVENANCE, SessionRecordDataset

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
