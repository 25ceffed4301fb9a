"""train_stages: with stack=True bundles train stacked where they can, alone otherwise, same results, on any executor."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from recunlearn.execution import InProcessExecutor, ProcessPoolExecutor, ShardFailedError
from recunlearn.training import stages
from recunlearn.training.stages import StageTask, train_stages

from ..conftest import backbone_config

CONFIG = dict(embedding_dim=4, init_std=0.1, batch_size=64, lr=0.05, mlp_layers=[4])


def rows(n: int, seed: int, n_items: int = 18) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "user": rng.integers(0, 24, n),
            "item": rng.integers(0, n_items, n),
            "label": rng.integers(0, 2, n).astype(float),
        }
    )


def task(backbone: str, data: pd.DataFrame, k: int, epochs: int = 2) -> StageTask:
    return StageTask(
        backbone,
        24,
        18,
        backbone_config(backbone, **CONFIG),
        data,
        data,
        None,
        100 + k,
        200 + k,
        epochs,
    )


@pytest.fixture
def stacked_calls(monkeypatch) -> list[int]:
    """How many models each call of train_stacked trained."""
    calls: list[int] = []
    real = stages.train_stacked

    def counting(models, *args, **kwargs):
        calls.append(len(models))
        return real(models, *args, **kwargs)

    monkeypatch.setattr(stages, "train_stacked", counting)
    return calls


def test_compatible_tasks_train_stacked_and_the_rest_alone(stacked_calls):
    tasks = [
        task("mf", rows(150, 0), 0),
        task("dmf", rows(150, 1), 1),  # shared MLP weights: alone
        task("mf", rows(90, 2), 2),
        task("mf", rows(0, 3), 3),  # nothing to train: alone, its start returned
        task("mf", rows(120, 4), 4, epochs=3),  # another schedule: a group of its own
        task("lightgcn", rows(100, 5), 5),
        task("lightgcn", rows(130, 6), 6),
    ]
    labels = [f"shard {k}" for k in range(len(tasks))]
    expected = train_stages(InProcessExecutor(), tasks, labels)
    assert stacked_calls == []
    got = train_stages(InProcessExecutor(), tasks, labels, stack=True)
    assert sorted(stacked_calls) == [2, 2]
    for k, ((parameters, _), (want, _)) in enumerate(zip(got, expected, strict=True)):
        assert parameters.keys() == want.keys()
        for name, value in want.items():
            assert torch.equal(parameters[name], value), (k, name)


def test_a_failing_stacked_group_names_its_shards():
    bad = rows(50, 1).assign(item=18)  # an item id past the table
    tasks = [task("mf", rows(50, 0), 0), task("mf", bad, 1)]
    with pytest.raises(ShardFailedError, match="sisa shard 0, sisa shard 1 failed"):
        train_stages(InProcessExecutor(), tasks, ["sisa shard 0", "sisa shard 1"], stack=True)


def test_stacked_bundles_run_through_a_process_pool_bit_identical(stacked_calls):
    tasks = [task("mf", rows(120, k), k) for k in range(3)] + [task("dmf", rows(80, 3), 3)]
    labels = [f"shard {k}" for k in range(len(tasks))]
    alone = train_stages(InProcessExecutor(), tasks, labels)
    pooled = train_stages(ProcessPoolExecutor(2, 1), tasks, labels, stack=True)
    assert stacked_calls == []  # the stacked training ran in the pool's workers
    for (parameters, _), (want, _) in zip(pooled, alone, strict=True):
        for name, value in want.items():
            assert torch.equal(parameters[name], value), name
