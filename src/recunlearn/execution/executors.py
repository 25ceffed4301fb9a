"""One interface for running independent units of work (shards, user groups).

Three places to run them: this process (:class:`InProcessExecutor`), a local pool of
spawned processes (:class:`ProcessPoolExecutor`) or a Dask distributed cluster
(:class:`~recunlearn.execution.dask_executor.DaskExecutor`), chosen by
``runtime.executor`` (``inprocess``, ``processes`` or ``dask://host:port``). How the
training stages are batched is a separate choice (``runtime.stack_shards``: bundles of
sub-models trained as one stacked model, :func:`recunlearn.training.stages.train_stages`)
that composes with each of them.

``Executor.map(function, tasks, labels)`` returns ``[function(t) for t in tasks]`` in
task order, wherever the work ran. Each task carries everything it needs (rows,
hyperparameters, derived seeds), so the results are the same in-process and in
worker processes: workers set the same torch thread count as the parent run.

A task that raises, or a worker process that dies, makes the whole map fail with a
:class:`ShardFailedError` naming the task's label; callers write nothing after it.
Ctrl-C is an interrupt, not a failure: the terminal sends SIGINT to the whole process
group, pool workers ignore it, and the parent stops its workers at once and lets its
``KeyboardInterrupt`` through (never "worker process died", never a wait for the
running shards to end).
"""

from __future__ import annotations

import concurrent.futures as futures
import multiprocessing
import signal
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

from recunlearn.errors import RecUnlearnError
from recunlearn.progress import progress_bar


class ShardFailedError(RecUnlearnError, RuntimeError):
    """A unit of work failed; the message names it."""


class Executor(ABC):
    """Runs ``function`` over ``tasks``; results in task order."""

    @abstractmethod
    def map(
        self, function: Callable[[Any], Any], tasks: Sequence[Any], labels: Sequence[str]
    ) -> list[Any]:
        """``[function(t) for t in tasks]``; a failure names ``labels[i]``."""

    def describe(self) -> str:
        """A short name for logs."""
        return type(self).__name__


class InProcessExecutor(Executor):
    """Runs the tasks one after the other in this process."""

    def map(
        self, function: Callable[[Any], Any], tasks: Sequence[Any], labels: Sequence[str]
    ) -> list[Any]:
        results = []
        with progress_bar(len(tasks), "shards") as bar:
            for task, label in zip(tasks, labels, strict=True):
                try:
                    results.append(function(task))
                except Exception as error:
                    raise ShardFailedError(f"{label} failed: {error}") from error
                bar.update(1)
        return results

    def describe(self) -> str:
        return "inprocess"


def _start_worker(threads: int) -> None:
    """A pool worker: Ctrl-C is the parent's to handle; ``threads`` torch threads."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import torch  # only in the worker processes

    torch.set_num_threads(threads)


_POOLS: dict[tuple[int, int], futures.ProcessPoolExecutor] = {}
"""Worker pools by (workers, threads), kept for the life of this process."""


def _shared_pool(workers: int, threads: int) -> futures.ProcessPoolExecutor:
    """The pool of ``workers`` spawned processes of ``threads`` torch threads.

    Spawning a worker costs seconds (it imports torch and this package), so every map
    of a run (each method's shards, both phases, every backbone) reuses the same
    workers; a pool whose worker died is dropped and the next map starts a new one.
    """
    key = (workers, threads)
    if key not in _POOLS:
        _POOLS[key] = futures.ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(threads,),
        )
    return _POOLS[key]


def _stop_pool(workers: int, threads: int) -> None:
    """Terminate the shared pool's workers now (their running tasks too) and drop it."""
    pool = _POOLS.pop((workers, threads), None)
    if pool is None:
        return
    processes = getattr(pool, "_processes", None) or {}  # no public way before Python 3.14
    for process in list(processes.values()):
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


class ProcessPoolExecutor(Executor):
    """Runs the tasks in ``workers`` spawned processes of ``threads`` torch threads.

    Spawned rather than forked: forking a process whose torch thread pools already
    run can deadlock the child. The workers are shared by every map in this process
    (see :func:`_shared_pool`). A single task runs in this process (the same result:
    the run's thread count is this process's too).
    """

    def __init__(self, workers: int, threads: int) -> None:
        self.workers, self.threads = int(workers), int(threads)

    def map(
        self, function: Callable[[Any], Any], tasks: Sequence[Any], labels: Sequence[str]
    ) -> list[Any]:
        if len(tasks) <= 1:  # a spawned worker would cost more (importing torch) than it saves
            return InProcessExecutor().map(function, tasks, labels)
        pool = _shared_pool(self.workers, self.threads)
        submitted = [pool.submit(function, task) for task in tasks]
        try:
            with progress_bar(len(tasks), f"shards on {self.workers} workers") as bar:
                results = []
                for future, label in zip(submitted, labels, strict=True):
                    results.append(_result(future, label))
                    bar.update(1)
            return results
        except ShardFailedError as error:
            for future in submitted:
                future.cancel()
            if isinstance(error.__cause__, futures.process.BrokenProcessPool):
                _POOLS.pop((self.workers, self.threads), None)
                pool.shutdown(wait=False, cancel_futures=True)
            raise
        except KeyboardInterrupt:
            _stop_pool(self.workers, self.threads)
            raise

    def describe(self) -> str:
        return f"processes({self.workers})"


def _result(future: futures.Future, label: str) -> Any:
    try:
        return future.result()
    except futures.process.BrokenProcessPool as error:
        raise ShardFailedError(f"{label} failed: its worker process died ({error})") from error
    except Exception as error:
        raise ShardFailedError(f"{label} failed: {error}") from error


LOCAL_EXECUTORS = ("inprocess", "processes")
"""The executors named without an address (``dask://host:port`` names a cluster)."""
EXECUTOR_CHOICES = "'inprocess', 'processes' or 'dask://host:port'"
"""What ``runtime.executor`` may be, as error messages say it."""
