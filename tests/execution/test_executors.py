"""Executors: the same results wherever the work runs; a failure names its task."""

from __future__ import annotations

import os

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
from recunlearn.runtime import RuntimeConfig
from recunlearn.training import TrainConfig
from recunlearn.unlearning import METHODS, PrepareContext, UnlearningRequest
from recunlearn.unlearning.user_groups import UserGroups


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
