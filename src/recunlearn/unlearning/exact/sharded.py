"""What SISA and RecEraser share: shards of D's rows, one sub-model each, exact unlearning.

Learning (``prepare``): D's rows are partitioned into S shards (the method's own
rule, or a partition given in the context), each shard's backbone trains on its rows
alone for ``epochs`` epochs from its own derived initialisation (a
:class:`~recunlearn.training.stages.StageTask`, run through the context's executor),
and the method builds its aggregate (an average, or an attention network) on top.

Unlearning: the shards that hold a row of D_r retrain from their initialisation on
their remaining rows; every other shard's parameters are the prepared ones, copied;
the aggregate is rebuilt over the result. The unlearned model therefore equals the
same method prepared from scratch on D - D_r with the same partition and seeds, and so
does the state it returns for the next request (the partition without D_r's rows, the
sub-models as they now are, the aggregate learned on D - D_r): a stream of requests
stays exact request after request.
"""

from __future__ import annotations

import time
from abc import abstractmethod
from typing import Any

import numpy as np
import pandas as pd
import torch
from pydantic import BaseModel, ConfigDict, PositiveInt

from recunlearn.models.scoring import ScoringModel
from recunlearn.training.config import TrainConfig
from recunlearn.training.stages import (
    Parameters,
    StageTask,
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
from recunlearn.unlearning.partitions import RowPartition

Members = dict[int, Parameters]


class ShardedConfig(BaseModel):
    """Shards and the sub-models' training."""

    model_config = ConfigDict(extra="forbid")

    shards: PositiveInt = 10
    """S: number of shards (10 in the IFRU paper's comparison)."""
    epochs: PositiveInt = 50
    """Epochs each shard's sub-model trains (fixed, as C-SISA's and LASER's T: no early
    stopping, so a shard is a function of its rows and seeds alone)."""


class ShardedMethod(UnlearningMethod):
    """Shards, isolated sub-models and an aggregate; subclasses choose the last two rules."""

    family = "exact"
    config_type = ShardedConfig

    # -- what subclasses define ------------------------------------------------
    @abstractmethod
    def shard_labels(self, context: PrepareContext) -> np.ndarray:
        """The shard of every row of ``context.train_rows`` (the method's partition rule)."""

    @abstractmethod
    def aggregate(
        self,
        meta: dict[str, Any],
        members: Members,
        rows: pd.DataFrame,
        labels: np.ndarray,
        stored: dict[str, torch.Tensor] | None,
        request: PrepareContext | UnlearningRequest,
    ) -> tuple[ScoringModel, dict[str, torch.Tensor], dict[str, Any]]:
        """The model over ``members`` on ``rows`` (shard ``labels``): (model, tensors to keep, log).

        ``stored`` holds the prepared state's tensors when no shard changed (the
        aggregate learned at preparation still holds), else ``None``.
        """

    # -- shared machinery ------------------------------------------------------
    def partition_of(self, state: PreparedState) -> RowPartition:
        """The row partition ``state`` was prepared with."""
        return RowPartition.from_tensors(state.tensors, state.meta["shards"], state.meta["n_items"])

    def shard_task(
        self, meta: dict, rows: pd.DataFrame, shard: int, cfg: TrainConfig, seed: int, device
    ) -> StageTask:
        """Shard ``shard``'s sub-model on ``rows`` (already that shard's rows)."""
        return isolated_task(self.name, meta, rows, shard, cfg, seed, device, self.config.epochs)

    def train_shards(
        self,
        meta: dict,
        rows: pd.DataFrame,
        labels: np.ndarray,
        shards: list[int],
        request: PrepareContext | UnlearningRequest,
    ) -> tuple[Members, float]:
        """Train ``shards`` on their rows of ``rows``; (parameters, summed shard seconds)."""
        cfg, seed, device = request.train_config, request.seed, request.device
        tasks = [self.shard_task(meta, rows[labels == s], s, cfg, seed, device) for s in shards]
        results = request.stages.train(tasks, [f"{self.name} shard {s}" for s in shards])
        members = {s: parameters for s, (parameters, _) in zip(shards, results, strict=True)}
        return members, float(sum(seconds for _, seconds in results))

    def prepare(self, context: PrepareContext) -> PreparedState:
        start, rows, original = time.perf_counter(), context.train_rows, context.original
        meta = {
            "backbone": original.name,
            "n_users": original.n_users,
            "n_items": original.n_items,
            "shards": self.config.shards,
            "executor": context.stages.describe(),
        }
        if context.partition is not None:
            partition = context.partition.restricted_to(rows)
        else:
            partition = RowPartition.of_rows(
                rows, self.shard_labels(context), self.config.shards, original.n_items
            )
        labels = partition.labels_of(rows)
        meta["shard_rows"] = np.bincount(labels, minlength=self.config.shards).tolist()
        meta["partition_seconds"] = time.perf_counter() - start
        every = list(range(self.config.shards))
        members, meta["shard_seconds"] = self.train_shards(meta, rows, labels, every, context)
        _, kept, log = self.aggregate(meta, members, rows, labels, None, context)
        meta |= log
        tensors = pack_parameters("member", members) | partition.tensors() | kept
        return PreparedState(meta, tensors, time.perf_counter() - start)

    def unlearn(self, state: PreparedState | None, request: UnlearningRequest) -> UnlearningOutcome:
        start = time.perf_counter()
        if state is None:
            raise ValueError(f"method {self.name!r} unlearns from its prepared state")
        meta, forget = state.meta, request.train_rows["forget"].to_numpy(bool)
        labels = self.partition_of(state).labels_of(request.train_rows)
        touched = sorted(int(s) for s in np.unique(labels[forget]))
        retain = request.retain_rows
        retrained, shard_seconds = self.train_shards(
            meta, retain, labels[~forget], touched, request
        )
        members = {
            s: retrained[s] if s in retrained else unpack_parameters(state.tensors, "member", s)
            for s in range(meta["shards"])
        }
        stored = None if touched else state.tensors
        model, kept, log = self.aggregate(meta, members, retain, labels[~forget], stored, request)
        rows = np.bincount(labels[~forget], minlength=meta["shards"]).tolist()
        next_state = PreparedState(
            meta | {"shard_rows": rows},
            pack_parameters("member", members)
            | self.partition_of(state).restricted_to(retain).tensors()
            | kept,
            state.seconds,
        )
        return UnlearningOutcome(
            model.to(request.device),
            {
                "seconds": time.perf_counter() - start,
                "prepare_seconds": state.seconds,
                "shards_retrained": len(touched),
                "shards": meta["shards"],
                "shard_seconds": shard_seconds,
                "executor": request.stages.describe(),
                "retain_rows": len(retain),
                **log,
            },
            next_state,
        )
