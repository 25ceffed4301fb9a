"""Task functions for executor tests, in a module light enough for workers to import fast."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any


def square_or_die(value: int) -> int:
    """value^2; 2 kills the worker mid-task, 3 raises."""
    if value == 2:
        os._exit(3)
    if value == 3:
        raise RuntimeError("bad shard")
    return value * value


class DoomedShard:
    """Runs ``function`` on every stage task but kills its worker on the doomed shard's."""

    def __init__(self, function: Callable[[Any], Any], doomed_init_seed: int) -> None:
        self.function, self.doomed = function, doomed_init_seed

    def __call__(self, task: Any) -> Any:
        if task.init_seed == self.doomed:
            os._exit(9)
        return self.function(task)


def mark_and_sleep(task: tuple[str, int]) -> int:
    """Leaves ``started-<i>`` in the folder ``task[0]``, then sleeps a minute: a long shard."""
    folder, index = task
    with open(os.path.join(folder, f"started-{index}"), "w"):
        pass
    time.sleep(60)
    return index
