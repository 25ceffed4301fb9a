"""SeqTrain (LASER, §3.3): one model trained over user groups in a fixed order.

:class:`SeqTrainPlan` holds what every stage shares (the backbone, the groups and
their order, hyperparameters, seeds). ``plan.train(rows, first, start)`` trains the
stages ``first``..S-1 on ``rows`` and returns the checkpoint after each, so learning
is ``plan.train(D, 0, init)`` and unlearning is ``plan.train(D - E, k, checkpoint_k)``.
:class:`SeqTrainState` is what learning leaves: the groups, their order and the
checkpoints before the first stage and after every stage.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import torch

from recunlearn.models import Recommender
from recunlearn.models.config import TrainConfig
from recunlearn.training.stages import (
    BackboneShape,
    Parameters,
    StageTask,
    build_stage_model,
    run_stage,
    stage_seed,
)
from recunlearn.unlearning.state import PreparedState
from recunlearn.unlearning.user_groups import UserGroups


@dataclass(frozen=True)
class SeqTrainPlan:
    """The fixed part of a sequential training run.

    Attributes:
        labels: group of every user id.
        order: group ids, first trained first.
        init_seed: seed of the initial parameters (checkpoint 0).
        seed: the run's seed; stage g's batch order is ``stage_seed(seed, method, backbone, g,
            "batches")``.
    """

    method: str
    backbone: str
    n_users: int
    n_items: int
    train_config: TrainConfig
    labels: np.ndarray
    order: tuple[int, ...]
    epochs: int
    init_seed: int
    seed: int
    device: str = "cpu"

    def stage_task(self, rows: pd.DataFrame, position: int, start: Parameters | None) -> StageTask:
        """The task of the stage at ``position`` of the order, on ``rows`` (all groups)."""
        group_of_row = self.labels[rows["user"].to_numpy()]
        group = self.order[position]
        return StageTask(
            backbone=self.backbone,
            n_users=self.n_users,
            n_items=self.n_items,
            train_config=self.train_config,
            rows=rows[group_of_row == group],
            graph_rows=rows[np.isin(group_of_row, self.order[: position + 1])],
            start=start,
            init_seed=self.init_seed,
            batch_seed=stage_seed(self.seed, self.method, self.backbone, group, "batches"),
            epochs=self.epochs,
            device=self.device,
        )

    def initial(self, rows: pd.DataFrame) -> Parameters:
        """Checkpoint 0: the initial parameters."""
        task = self.stage_task(rows, 0, None)
        return run_stage(replace(task, epochs=0))[0]

    def train(
        self, rows: pd.DataFrame, first: int, start: Parameters
    ) -> tuple[list[Parameters], list[float]]:
        """Stages ``first``..S-1 from ``start``: the checkpoint after each, and its seconds."""
        checkpoints, seconds = [], []
        for position in range(first, len(self.order)):
            start, took = run_stage(self.stage_task(rows, position, start))
            checkpoints.append(start)
            seconds.append(took)
        return checkpoints, seconds

    def model(self, rows: pd.DataFrame, parameters: Parameters) -> Recommender:
        """The model at ``parameters`` serving the graph of every group's ``rows``."""
        task = self.stage_task(rows, len(self.order) - 1, parameters)
        return build_stage_model(replace(task, graph_rows=rows))


@dataclass(frozen=True, kw_only=True)
class SeqTrainState(PreparedState):
    """Sequential training with checkpoints (LASER).

    Attributes:
        shape: the backbone trained.
        groups: every user's group and the order the stages visit the groups.
        init_seed: seed of the initial parameters.
        checkpoints: the parameters before the first stage (0) and after every stage
            (1..S), each learned on the data the state describes.
        log: the stages' seconds, for people (the code never reads it).
    """

    kind = "checkpoints"

    shape: BackboneShape
    groups: UserGroups
    init_seed: int
    checkpoints: tuple[Parameters, ...]
    log: dict[str, Any] = field(default_factory=dict)

    def after(self, first: int, renewed: list[Parameters]) -> SeqTrainState:
        """The checkpoints up to ``first`` stand; those after it are ``renewed``."""
        return replace(self, checkpoints=self.checkpoints[: first + 1] + tuple(renewed))

    def config(self) -> dict[str, Any]:
        return {
            "shape": asdict(self.shape),
            "order": list(self.groups.order),
            "init_seed": self.init_seed,
            "log": self.log,
        }

    def tensors(self) -> dict[str, Any]:
        return {
            "labels": torch.tensor(self.groups.labels),
            "checkpoints": list(self.checkpoints),
        }

    @classmethod
    def restore(
        cls, config: dict[str, Any], tensors: dict[str, Any], seconds: float
    ) -> SeqTrainState:
        labels = tensors["labels"].numpy().astype(np.int64)
        return cls(
            seconds=seconds,
            shape=BackboneShape(**config["shape"]),
            groups=UserGroups(labels, tuple(config["order"])),
            init_seed=config["init_seed"],
            checkpoints=tuple(dict(checkpoint) for checkpoint in tensors["checkpoints"]),
            log=dict(config["log"]),
        )
