"""The executor a run asks for by name (``runtime.executor``)."""

from __future__ import annotations

from recunlearn.errors import ParameterError
from recunlearn.execution.dask_executor import DaskExecutor, scheduler_address
from recunlearn.execution.executors import (
    EXECUTOR_CHOICES,
    Executor,
    InProcessExecutor,
    ProcessPoolExecutor,
)


def make_executor(spec: str, workers: int, threads: int) -> Executor:
    """The executor named by ``runtime.executor``: ``inprocess``, ``processes`` or
    ``dask://host:port`` (a Dask scheduler's address)."""
    if spec == "inprocess":
        return InProcessExecutor()
    if spec == "processes":
        return ProcessPoolExecutor(workers, threads)
    if spec.startswith("dask://"):
        return DaskExecutor(scheduler_address(spec), threads)
    raise ParameterError(f"parameter 'runtime.executor' must be {EXECUTOR_CHOICES}, got {spec!r}")
