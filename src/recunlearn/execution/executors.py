"""One interface for running independent units of work (shards, user groups).

``Executor.map(function, tasks, labels)`` returns ``[function(t) for t in tasks]`` in
task order, wherever the work ran. Each task carries everything it needs (rows,
hyperparameters, derived seeds), so the results are the same in-process and in
worker processes: workers set the same torch thread count as the parent run.

A task that raises, or a worker process that dies, makes the whole map fail with a
:class:`ShardFailedError` naming the task's label; callers write nothing after it.
"""

from __future__ import annotations

import concurrent.futures as futures
import multiprocessing
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

import torch

from recunlearn.errors import ParameterError, RecUnlearnError


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
        for task, label in zip(tasks, labels, strict=True):
            try:
                results.append(function(task))
            except Exception as error:
                raise ShardFailedError(f"{label} failed: {error}") from error
        return results

    def describe(self) -> str:
        return "inprocess"


def _set_threads(threads: int) -> None:
    torch.set_num_threads(threads)


class ProcessPoolExecutor(Executor):
    """Runs the tasks in ``workers`` fresh (spawned) processes of ``threads`` torch threads.

    Spawned rather than forked: forking a process whose torch thread pools already
    run can deadlock the child.
    """

    def __init__(self, workers: int, threads: int) -> None:
        self.workers, self.threads = int(workers), int(threads)

    def map(
        self, function: Callable[[Any], Any], tasks: Sequence[Any], labels: Sequence[str]
    ) -> list[Any]:
        if not tasks:
            return []
        context = multiprocessing.get_context("spawn")
        with futures.ProcessPoolExecutor(
            max_workers=min(self.workers, len(tasks)),
            mp_context=context,
            initializer=_set_threads,
            initargs=(self.threads,),
        ) as pool:
            submitted = [pool.submit(function, task) for task in tasks]
            return [_result(future, label) for future, label in zip(submitted, labels, strict=True)]

    def describe(self) -> str:
        return f"processes({self.workers})"


def _result(future: futures.Future, label: str) -> Any:
    try:
        return future.result()
    except futures.process.BrokenProcessPool as error:
        raise ShardFailedError(f"{label} failed: its worker process died ({error})") from error
    except Exception as error:
        raise ShardFailedError(f"{label} failed: {error}") from error


def make_executor(spec: str, workers: int, threads: int) -> Executor:
    """The executor named by ``runtime.executor``: ``inprocess`` or ``processes``."""
    if spec == "inprocess":
        return InProcessExecutor()
    if spec == "processes":
        return ProcessPoolExecutor(workers, threads)
    raise ParameterError(
        f"parameter 'runtime.executor' must be 'inprocess' or 'processes', got {spec!r}"
    )
