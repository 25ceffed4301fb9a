"""Executors: the same results wherever the work runs; a failure names its task."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from recunlearn.errors import ParameterError
from recunlearn.execution import (
    InProcessExecutor,
    ProcessPoolExecutor,
    ShardFailedError,
    make_executor,
)
from recunlearn.models.config import TrainConfig
from recunlearn.runtime import RuntimeConfig
from recunlearn.unlearning import METHODS, PrepareContext, UnlearningRequest
from recunlearn.unlearning.user_groups import UserGroups


def interruptible() -> None:
    """In the child before exec: SIGINT back to its default, so Python turns it into
    KeyboardInterrupt even when the suite runs as a background job (which ignores it)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def square_or_die(value: int) -> int:
    if value == 2:
        os._exit(3)  # a worker that dies mid-task
    if value == 3:
        raise RuntimeError("bad shard")
    return value * value


def test_in_process_and_process_pool_give_the_same_results():
    tasks = [0, 1, 4]
    labels = [f"shard {t}" for t in tasks]
    expected = InProcessExecutor().map(square_or_die, tasks, labels)
    assert ProcessPoolExecutor(2, 1).map(square_or_die, tasks, labels) == expected == [0, 1, 16]


def test_a_worker_that_dies_fails_the_map_naming_the_shard():
    with pytest.raises(ShardFailedError, match="shard 2 failed: its worker process died"):
        ProcessPoolExecutor(1, 1).map(square_or_die, [0, 1, 2], ["shard 0", "shard 1", "shard 2"])


def test_a_task_that_raises_names_the_shard_in_process():
    with pytest.raises(ShardFailedError, match="shard 3 failed: bad shard"):
        InProcessExecutor().map(square_or_die, [1, 3], ["shard 1", "shard 3"])


def test_stacking_is_a_runtime_choice_apart_from_the_executor():
    assert RuntimeConfig(executor="processes", stack_shards=True).stack_shards
    with pytest.raises(ValueError, match="runtime.stack_shards: true"):
        RuntimeConfig(executor="stacked")


def test_unknown_executor_names_the_parameter():
    with pytest.raises(ParameterError, match="runtime.executor"):
        make_executor("threads", 2, 1)


def test_csisa_groups_trained_in_worker_processes_equal_in_process(interactions):
    from recunlearn.models import build_backbone

    train = interactions.assign(forget=interactions["user"] == 3)
    config = TrainConfig(embedding_dim=4, init_std=0.1, batch_size=64, lr=0.05)
    model = build_backbone("mf", 24, 18, config, train, torch.Generator().manual_seed(0))
    groups = {"cbkm": UserGroups(np.arange(24) % 2, (0, 1))}
    states = []
    for executor in (InProcessExecutor(), ProcessPoolExecutor(2, 1)):
        request = UnlearningRequest(model, train, train.iloc[:5], config, 1, "cpu", executor)
        states.append(METHODS["csisa"]({"epochs": 2}).prepare(PrepareContext.of(request, groups)))
    for key, value in states[0].named_tensors().items():
        assert torch.equal(states[1].named_tensors()[key], value), key


INTERRUPTED_MAP = """
import sys, time
from recunlearn.execution import ProcessPoolExecutor
from tests.execution.tasks import mark_and_sleep
folder, moment = sys.argv[1:]
pool = ProcessPoolExecutor(2, 1)
try:
    if moment == "while the workers wait idle":
        pool.map(abs, [-1, -2, -3], ["a", "b", "c"])
        print("mapping", flush=True)
        time.sleep(60)  # a later step in this process; the shared pool's workers wait
    else:
        print("mapping", flush=True)
        pool.map(mark_and_sleep, [(folder, i) for i in range(6)], [f"s{i}" for i in range(6)])
except KeyboardInterrupt:
    print("interrupted", flush=True)
"""
MOMENTS = ["while the workers start", "while the shards run", "while the workers wait idle"]


def shards_started(folder: Path, moment: str) -> bool:
    return moment != "while the shards run" or len(list(folder.glob("started-*"))) >= 2


@pytest.mark.parametrize("moment", MOMENTS)
def test_ctrl_c_interrupts_the_pool_at_once_and_no_worker_is_said_to_die(tmp_path, moment):
    """SIGINT to the whole process group, as a terminal's Ctrl-C sends it: the parent
    stops its workers at once (the shards sleep a minute) and nothing else is printed."""
    root = Path(__file__).resolve().parents[2]
    path = os.pathsep.join(
        filter(None, [str(root / "src"), str(root), os.environ.get("PYTHONPATH")])
    )
    run = subprocess.Popen(
        [sys.executable, "-c", INTERRUPTED_MAP, str(tmp_path), moment],
        cwd=root,
        env=os.environ | {"PYTHONPATH": path},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        preexec_fn=interruptible,
    )
    assert run.stdout.readline() == "mapping\n"
    time.sleep(0.3)
    deadline = time.monotonic() + 60
    while not shards_started(tmp_path, moment):
        assert time.monotonic() < deadline and run.poll() is None
        time.sleep(0.05)
    os.killpg(run.pid, signal.SIGINT)
    sent = time.monotonic()
    try:
        rest = run.communicate(timeout=30)[0]
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    assert time.monotonic() - sent < 20
    assert rest.splitlines() == ["interrupted"]  # no traceback, no "worker process died"
    assert run.returncode == 0
