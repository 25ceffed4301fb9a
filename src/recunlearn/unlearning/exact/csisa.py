"""C-SISA (LASER paper's baseline): one sub-model per user group, trained in isolation.

SISA (Bourtoule et al.) on LASER's user groups: group g's model trains only on the
rows of g's users, ``epochs`` (T) epochs from its own initialisation; user u is
scored by its group's model (LASER §4.2 concatenates the groups' user embeddings;
here each user also keeps its group's item embeddings, so a user's scores are
exactly its sub-model's). Unlearning retrains only the groups that hold a row of the
request, from their initialisation, on their remaining rows; every other group's
parameters are the very tensors of the prepared state. The state returned for the next
request holds the groups as they now are, so a stream of requests stays exact. Groups train through the
request's executor (in-process, a local process pool or Dask; stacked or not).
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pandas as pd
import torch
from pydantic import BaseModel, ConfigDict, PositiveInt

from recunlearn.models import GroupedModel
from recunlearn.training.config import TrainConfig
from recunlearn.training.dispatch import PER_ROW_BACKBONES
from recunlearn.training.stages import (
    Parameters,
    StageRunner,
    StageTask,
    build_stage_model,
    isolated_task,
    pack_parameters,
    unpack_parameters,
)
from recunlearn.unlearning.base import (
    PrepareContext,
    PreparedState,
    UnlearningMethod,
    UnlearningOutcome,
    UnlearningRequest,
)
from recunlearn.unlearning.user_groups import Grouping, UserGroups


class CSisaConfig(BaseModel):
    """Isolated training per user group."""

    model_config = ConfigDict(extra="forbid")

    grouping: Grouping = "cbkm"
    """Which of the grouping step's groupings defines the sub-models' users."""
    epochs: PositiveInt = 50
    """T: epochs per sub-model."""


class CSisa(UnlearningMethod):
    """One backbone per user group; a user is scored by its group's backbone."""

    name = "csisa"
    label = "C-SISA"
    config_type = CSisaConfig
    contract_settings = {"epochs": 2}
    family = "exact"
    needs_groups = True
    supported_backbones = PER_ROW_BACKBONES
    """Sub-models train on per-row BCE mini-batches (``stages.train_model``)."""

    def _task(
        self, meta: dict, rows: pd.DataFrame, group: int, cfg: TrainConfig, seed: int, device
    ) -> StageTask:
        labels = np.asarray(meta["labels"], dtype=np.int64)
        group_rows = rows[labels[rows["user"].to_numpy()] == group]
        return isolated_task(
            self.name, meta, group_rows, group, cfg, seed, device, self.config.epochs
        )

    def _train_groups(
        self,
        meta: dict,
        rows: pd.DataFrame,
        groups: list[int],
        cfg: TrainConfig,
        seed: int,
        device,
        stages: StageRunner,
    ) -> dict[int, Parameters]:
        tasks = [self._task(meta, rows, g, cfg, seed, device) for g in groups]
        results = stages.train(tasks, [f"{self.name} group {g}" for g in groups])
        return {g: parameters for g, (parameters, _) in zip(groups, results, strict=True)}

    def prepare(self, context: PrepareContext) -> PreparedState:
        start = time.perf_counter()
        groups, original = self.grouping(context), context.original
        meta = {
            "backbone": original.name,
            "n_users": original.n_users,
            "n_items": original.n_items,
            "labels": groups.labels.tolist(),
            "groups": groups.n_groups,
            "executor": context.stages.describe(),
        }
        members = self._train_groups(
            meta,
            context.train_rows,
            sorted(groups.order),
            context.train_config,
            context.seed,
            context.device,
            context.stages,
        )
        return PreparedState(meta, pack_parameters("member", members), time.perf_counter() - start)

    def unlearn(self, state: PreparedState | None, request: UnlearningRequest) -> UnlearningOutcome:
        start = time.perf_counter()
        if state is None:
            raise ValueError(f"method {self.name!r} unlearns from its prepared state")
        meta, retain = state.meta, request.retain_rows
        labels = np.asarray(meta["labels"], dtype=np.int64)
        touched = sorted(
            UserGroups(labels, tuple(range(meta["groups"]))).touched_groups(
                request.forget_rows, "deletion request (mi_train.forget)"
            )
        )
        retrained = self._train_groups(
            meta,
            retain,
            touched,
            request.train_config,
            request.seed,
            request.device,
            request.stages,
        )
        members, parameter_sets = [], {}
        for group in range(meta["groups"]):
            task = self._task(
                meta, retain, group, request.train_config, request.seed, request.device
            )
            parameters = retrained.get(group, unpack_parameters(state.tensors, "member", group))
            parameter_sets[group] = parameters
            members.append(build_stage_model(replace(task, start=parameters)))
        model = GroupedModel(members, torch.as_tensor(labels))
        next_state = PreparedState(meta, pack_parameters("member", parameter_sets), state.seconds)
        return UnlearningOutcome(
            model.to(request.device),
            {
                "seconds": time.perf_counter() - start,
                "prepare_seconds": state.seconds,
                "groups_retrained": len(touched),
                "groups": meta["groups"],
                "executor": request.stages.describe(),
                "retain_rows": len(retain),
            },
            next_state,
        )
