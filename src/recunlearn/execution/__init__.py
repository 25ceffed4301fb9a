"""Where independent units of work (shards, groups) run: in-process, a process pool or Dask.

Its names are imported on first use (``recunlearn.lazy_imports``), so that the
parameter check can read the executor names without importing torch or dask.
"""

from recunlearn.lazy_imports import lazy_exports

__getattr__ = lazy_exports(
    __name__,
    {
        "DaskExecutor": "dask_executor",
        "Executor": "executors",
        "InProcessExecutor": "executors",
        "ProcessPoolExecutor": "executors",
        "ShardFailedError": "executors",
        "make_executor": "factory",
    },
)

__all__ = [
    "DaskExecutor",
    "Executor",
    "InProcessExecutor",
    "ProcessPoolExecutor",
    "ShardFailedError",
    "make_executor",
]
