"""Where independent units of work (shards, groups) run: in-process, a process pool or Dask."""

from recunlearn.execution.dask_executor import DaskExecutor
from recunlearn.execution.executors import (
    Executor,
    InProcessExecutor,
    ProcessPoolExecutor,
    ShardFailedError,
)
from recunlearn.execution.factory import make_executor

__all__ = [
    "DaskExecutor",
    "Executor",
    "InProcessExecutor",
    "ProcessPoolExecutor",
    "ShardFailedError",
    "make_executor",
]
