"""Where independent units of work (shards, groups) run: in-process or a process pool."""

from recunlearn.execution.executors import (
    Executor,
    InProcessExecutor,
    ProcessPoolExecutor,
    ShardFailedError,
    make_executor,
)

__all__ = [
    "Executor",
    "InProcessExecutor",
    "ProcessPoolExecutor",
    "ShardFailedError",
    "make_executor",
]
