"""Training one stage of an exact method: a backbone on one group's rows, for T epochs.

A :class:`StageTask` carries everything the stage needs (rows, hyperparameters,
the parameters to start from, derived seeds), so it runs the same in this process
or in a worker, and a stage re-run at unlearning time repeats the learning-time
stage bit for bit when its rows are unchanged. Stages train for a fixed number of
epochs with a fresh Adam optimiser and no early stopping (LASER trains each group for
T epochs, §4.2): a checkpoint is then the parameters alone.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import torch

from recunlearn.execution import Executor
from recunlearn.models import Recommender, build_backbone
from recunlearn.models.config import TrainConfig
from recunlearn.seeding import derive_seed
from recunlearn.training.stacked import can_stack, train_stacked
from recunlearn.training.trainer import train_model

Parameters = dict[str, torch.Tensor]


@dataclass(frozen=True)
class StageTask:
    """One stage: train ``rows`` for ``epochs`` epochs from ``start`` (or a fresh init).

    Attributes:
        backbone, n_users, n_items, train_config: the model to build.
        rows: the rows this stage trains on.
        graph_rows: the rows whose positive edges form the graph (graph backbones).
        start: parameters to start from; ``None`` initialises from ``init_seed``.
        init_seed, batch_seed: derived seeds of the initialisation and batch order.
        epochs: epochs to train (0 rows: no training, the start is returned).
        device: where to train.
    """

    backbone: str
    n_users: int
    n_items: int
    train_config: TrainConfig
    rows: pd.DataFrame
    graph_rows: pd.DataFrame
    start: Parameters | None
    init_seed: int
    batch_seed: int
    epochs: int
    device: str = "cpu"


@dataclass(frozen=True)
class BackboneShape:
    """Which backbone, over how many users and items: what a stage's model is built as."""

    backbone: str
    n_users: int
    n_items: int

    @classmethod
    def of(cls, model: Recommender) -> BackboneShape:
        return cls(model.name, model.n_users, model.n_items)


def isolated_task(
    method: str,
    shape: BackboneShape,
    rows: pd.DataFrame,
    index: int,
    cfg: TrainConfig,
    seed: int,
    device: torch.device | str,
    epochs: int,
) -> StageTask:
    """A sub-model (shard ``index``, group ``index``) trained alone on ``rows`` for ``epochs``
    epochs from its own seeded initialisation (SISA, RecEraser, C-SISA)."""
    backbone = shape.backbone
    return StageTask(
        backbone=backbone,
        n_users=shape.n_users,
        n_items=shape.n_items,
        train_config=cfg,
        rows=rows,
        graph_rows=rows,
        start=None,
        init_seed=stage_seed(seed, method, backbone, index, "init"),
        batch_seed=stage_seed(seed, method, backbone, index, "batches"),
        epochs=epochs,
        device=str(device),
    )


def stage_seed(seed: int, method: str, backbone: str, group: int, purpose: str) -> int:
    """The derived seed of one group's stage (``purpose``: ``init`` or ``batches``)."""
    return derive_seed(seed, method, backbone, "group", group, purpose)


def build_stage_model(task: StageTask) -> Recommender:
    """The task's backbone on its graph, at its start parameters (or fresh)."""
    init = torch.Generator().manual_seed(task.init_seed)
    cfg = task.train_config
    model = build_backbone(
        task.backbone, task.n_users, task.n_items, cfg, task.graph_rows, init
    ).to(task.device)
    if task.start is not None:
        load_parameters(model, task.start)
    return model


def load_parameters(model: Recommender, parameters: Parameters) -> None:
    """Copy ``parameters`` into ``model`` in place (buffers such as the graph stay)."""
    with torch.no_grad():
        for name, tensor in model.named_parameters():
            tensor.copy_(parameters[name])


def parameters_of(model: Recommender) -> Parameters:
    """The model's parameters, detached copies on the CPU."""
    return {name: p.detach().cpu().clone() for name, p in model.named_parameters()}


def run_stage(task: StageTask) -> tuple[Parameters, float]:
    """Train the task's stage; return its parameters (CPU) and its wall time."""
    start = time.perf_counter()
    model = build_stage_model(task)
    train_stage_model(model, task)
    return parameters_of(model), time.perf_counter() - start


def train_stage_model(model: Recommender, task: StageTask) -> None:
    """Train ``model`` (the task's, as built) for the task's epochs on its rows, in place."""
    if len(task.rows) and task.epochs > 0:
        cfg = task.train_config.model_copy(update={"max_epochs": task.epochs})
        batches = torch.Generator().manual_seed(task.batch_seed)
        train_model(model, task.rows, task.rows.iloc[:0], cfg, batches, task.device)


def train_stages(
    executor: Executor, tasks: Sequence[StageTask], labels: Sequence[str], stack: bool = False
) -> list[tuple[Parameters, float]]:
    """:func:`run_stage` of every task through ``executor``, results in task order.

    With ``stack`` (``runtime.stack_shards``) the tasks that share a backbone, sizes,
    hyperparameters, epochs and device form one bundle, trained as one stacked model
    (:func:`recunlearn.training.stacked.train_stacked`: each gets the parameters it gets
    alone); the bundles run through ``executor`` like single tasks, so stacking composes
    with every executor (one bundle per worker of a pool or Dask). A task of a backbone
    that cannot be stacked, or with nothing to train, is a bundle of its own. A bundle's
    wall time is split evenly among its tasks.
    """
    if not stack:
        return executor.map(run_stage, tasks, labels)
    groups = _stack_groups(tasks)
    bundles = [[tasks[i] for i in group] for group in groups]
    names = [", ".join(labels[i] for i in group) for group in groups]
    results: dict[int, tuple[Parameters, float]] = {}
    for group, bundle in zip(groups, executor.map(run_bundle, bundles, names), strict=True):
        results |= dict(zip(group, bundle, strict=True))
    return [results[i] for i in range(len(tasks))]


@dataclass(frozen=True)
class StageRunner:
    """How sub-model stages run: where (``executor``) and batched how (``stack``)."""

    executor: Executor
    stack: bool = False

    def train(
        self, tasks: Sequence[StageTask], labels: Sequence[str]
    ) -> list[tuple[Parameters, float]]:
        """:func:`train_stages` with this runner's executor and batching."""
        return train_stages(self.executor, tasks, labels, self.stack)

    def describe(self) -> str:
        """``processes``, ``inprocess, stacked``, ..., for the methods' logs."""
        return self.executor.describe() + (", stacked" if self.stack else "")


def _stack_groups(tasks: Sequence[StageTask]) -> list[list[int]]:
    """Indices of tasks that can train together (same model and schedule), in task order."""
    groups: dict[tuple, list[int]] = {}
    for index, task in enumerate(tasks):
        trains = len(task.rows) > 0 and task.epochs > 0
        key = (
            (
                task.backbone,
                task.n_users,
                task.n_items,
                task.train_config.model_dump_json(),
                task.epochs,
                task.device,
            )
            if trains
            else ("alone", index)
        )
        groups.setdefault(key, []).append(index)
    return list(groups.values())


def run_bundle(tasks: list[StageTask]) -> list[tuple[Parameters, float]]:
    """A bundle's stages trained as one stacked model (one after another if it cannot be);
    parameters (CPU) and wall time of each, in bundle order."""
    start = time.perf_counter()
    models = [build_stage_model(task) for task in tasks]
    if len(tasks) == 1 or not can_stack(models[0]):
        built = (time.perf_counter() - start) / len(tasks)  # each task's share of the builds
        seconds = []
        for model, task in zip(models, tasks, strict=True):
            began = time.perf_counter()
            train_stage_model(model, task)
            seconds.append(built + time.perf_counter() - began)
    else:
        first = tasks[0]
        generators = [torch.Generator().manual_seed(task.batch_seed) for task in tasks]
        rows = [task.rows for task in tasks]
        train_stacked(models, rows, first.train_config, generators, first.epochs, first.device)
        seconds = [(time.perf_counter() - start) / len(tasks)] * len(tasks)
    return [(parameters_of(m), took) for m, took in zip(models, seconds, strict=True)]
