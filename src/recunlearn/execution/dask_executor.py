"""Shards on a Dask distributed cluster: ``runtime.executor: dask://host:port``.

The run connects a ``distributed.Client`` to the scheduler at that address, submits one
task per shard (``pure=False``: a shard is never answered from a cache) and gathers the
results in task order. Workers need this package installed (``pip install -e .`` on
each machine); the tasks carry their rows, hyperparameters and derived seeds, so a
shard trained on the cluster equals the one trained in-process.

Failures name the shard: a task that raises, and a worker that dies while running
it (``distributed.KilledWorker`` once the scheduler's ``allowed-failures`` retries are
spent), both end the map with a :class:`ShardFailedError`; the remaining tasks are
cancelled and the caller writes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from recunlearn.errors import ParameterError
from recunlearn.execution.executors import Executor, ShardFailedError

DASK_SPEC = re.compile(r"^dask://(?P<host>[A-Za-z0-9._-]+):(?P<port>\d{1,5})$")
"""``dask://host:port``: where a Dask scheduler listens (its ``tcp://`` address)."""


def scheduler_address(spec: str) -> str:
    """The ``tcp://host:port`` address of a ``dask://host:port`` executor spec."""
    match = DASK_SPEC.match(spec)
    if match is None or not 0 < int(match["port"]) < 65536:
        raise ParameterError(
            f"parameter 'runtime.executor' must look like 'dask://host:port', got {spec!r}"
        )
    return f"tcp://{match['host']}:{match['port']}"


def _with_threads(function: Callable[[Any], Any], task: Any, threads: int) -> Any:
    """Run ``function(task)`` on a worker with the run's torch thread count."""
    import torch  # on the worker

    torch.set_num_threads(threads)
    return function(task)


class DaskExecutor(Executor):
    """Runs the tasks on the Dask cluster whose scheduler listens at ``address``.

    Args:
        address: ``tcp://host:port`` of the scheduler (see :func:`scheduler_address`).
        threads: torch intra-op threads each task uses on its worker.
        timeout: seconds to wait for the scheduler to answer.
    """

    def __init__(self, address: str, threads: int, timeout: float = 30.0) -> None:
        self.address, self.threads, self.timeout = address, int(threads), float(timeout)

    def map(
        self, function: Callable[[Any], Any], tasks: Sequence[Any], labels: Sequence[str]
    ) -> list[Any]:
        if not tasks:
            return []
        from distributed import Client

        try:
            client = Client(self.address, timeout=self.timeout, set_as_default=False)
        except OSError as error:
            raise ShardFailedError(
                f"runtime.executor: no Dask scheduler answers at {self.address} ({error})"
            ) from error
        with client:
            submitted = [
                client.submit(_with_threads, function, task, self.threads, pure=False)
                for task in tasks
            ]
            try:
                return [
                    _result(future, label) for future, label in zip(submitted, labels, strict=True)
                ]
            finally:
                client.cancel(submitted)

    def describe(self) -> str:
        return f"dask({self.address})"


def _result(future: Any, label: str) -> Any:
    from distributed import KilledWorker

    try:
        return future.result()
    except KilledWorker as error:
        raise ShardFailedError(
            f"{label} failed: the Dask worker running it died ({error.last_worker.address})"
        ) from error
    except Exception as error:
        raise ShardFailedError(f"{label} failed: {error}") from error
