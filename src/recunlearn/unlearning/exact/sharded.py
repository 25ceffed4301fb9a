"""What SISA, RecEraser and C-SISA share: shards of D, one sub-model each, exact unlearning.

Learning (``prepare``): D is partitioned into S shards (the method's own rule, or a
partition given in the context): rows dealt out (SISA), balanced clusters (RecEraser)
or the users' groups (C-SISA). Each shard's backbone trains on its rows alone for
``epochs`` epochs from its own derived initialisation (a
:class:`~recunlearn.training.stages.StageTask`, run through the context's executor),
and the method builds its aggregate (an average, an attention network, or each user's
group's sub-model) on top. The result is a :class:`ShardedState`.

Unlearning: the shards that hold a row of D_r retrain from their initialisation on
their remaining rows; every other shard's parameters are the prepared ones; the
aggregate is rebuilt over the result. The unlearned model therefore equals the same
method prepared from scratch on D - D_r with the same partition and seeds, and so does
the state it returns for the next request (the partition without D_r's rows, the
sub-models as they now are, the aggregate learned on D - D_r): a stream of requests
stays exact request after request.
"""

from __future__ import annotations

import time
from abc import abstractmethod
from dataclasses import replace
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from recunlearn.errors import ParameterError
from recunlearn.models.base import Recommender
from recunlearn.models.scoring import ScoringModel
from recunlearn.training.stages import (
    BackboneShape,
    Parameters,
    StageTask,
    build_stage_model,
    isolated_task,
)
from recunlearn.unlearning.base import (
    PrepareContext,
    PreparedState,
    UnlearningMethod,
    UnlearningOutcome,
    UnlearningRequest,
)
from recunlearn.unlearning.exact.config import ShardedConfig
from recunlearn.unlearning.exact.sharded_state import ShardedState
from recunlearn.unlearning.partitions import Partition, RowPartition

Members = tuple[Parameters, ...]
Context = PrepareContext | UnlearningRequest


class ShardedMethod(UnlearningMethod):
    """Shards, isolated sub-models and an aggregate; subclasses choose the last two rules."""

    family = "exact"
    config_type = ShardedConfig
    unit: ClassVar[str] = "shard"
    """What the log calls a shard (``shards_retrained``; C-SISA: ``groups_retrained``)."""

    # -- what subclasses define ------------------------------------------------
    @abstractmethod
    def own_partition(self, context: PrepareContext) -> Partition:
        """The partition of ``context.train_rows`` by the method's own rule."""

    @abstractmethod
    def aggregate(
        self, state: ShardedState, members: Members, rows: pd.DataFrame, request: Context
    ) -> tuple[ScoringModel, Parameters, dict[str, Any]]:
        """The model over ``members`` on ``rows``: (model, its aggregator's parameters, log).

        ``state`` is the state being built on ``rows``; its ``aggregator`` is the one
        learned on ``rows`` where it still holds (no shard changed), else empty.
        """

    def shard_points(self, rows: pd.DataFrame) -> tuple[int, str]:
        """(how many points the partition divides, what they are): D's rows by default."""
        return len(rows), "interaction"

    # -- shared machinery ------------------------------------------------------
    def check_fits(self, train_rows: pd.DataFrame) -> None:
        """Every shard must get a point: S <= the points the partition divides."""
        points, unit = self.shard_points(train_rows)
        if points < self.config.shards:
            raise ParameterError(
                f"parameter 'unlearning.{self.name}.shards' ({self.config.shards}) exceeds "
                f"the {points} {unit} points of D to partition"
            )

    def row_partition(self, context: PrepareContext, labels: np.ndarray) -> RowPartition:
        """The rows of ``context.train_rows`` dealt into ``shards`` by ``labels``."""
        rows, n_items = context.train_rows, context.original.n_items
        return RowPartition.of_rows(rows, labels, self.config.shards, n_items)

    def partition_of(self, state: PreparedState) -> Partition:
        """The partition ``state`` was prepared with."""
        return self.prepared(state, ShardedState).partition

    def shard_task(
        self, shape: BackboneShape, rows: pd.DataFrame, shard: int, request: Context
    ) -> StageTask:
        """Shard ``shard``'s sub-model on ``rows`` (already that shard's rows)."""
        cfg, seed, device = request.train_config, request.seed, request.device
        return isolated_task(self.name, shape, rows, shard, cfg, seed, device, self.config.epochs)

    def train_shards(
        self,
        shape: BackboneShape,
        rows: pd.DataFrame,
        labels: np.ndarray,
        shards: list[int],
        request: Context,
    ) -> tuple[dict[int, Parameters], float]:
        """Train ``shards`` on their rows of ``rows``; (parameters, summed shard seconds)."""
        tasks = [self.shard_task(shape, rows[labels == s], s, request) for s in shards]
        results = request.stages.train(tasks, [f"{self.name} {self.unit} {s}" for s in shards])
        members = {s: parameters for s, (parameters, _) in zip(shards, results, strict=True)}
        return members, float(sum(seconds for _, seconds in results))

    def member_models(
        self, state: ShardedState, members: Members, rows: pd.DataFrame, request: Context
    ) -> list[Recommender]:
        """Each member at its parameters, on its own shard's rows' graph."""
        labels = state.partition.labels_of(rows)
        return [
            build_stage_model(
                replace(self.shard_task(state.shape, rows[labels == s], s, request), start=member)
            )
            for s, member in enumerate(members)
        ]

    def prepare(self, context: PrepareContext) -> ShardedState:
        start, rows = time.perf_counter(), context.train_rows
        if context.partition is not None:
            partition = context.partition.restricted_to(rows)
        else:
            partition = self.own_partition(context)
        labels, every = partition.labels_of(rows), list(range(partition.n_shards))
        log: dict[str, Any] = {"partition_seconds": time.perf_counter() - start}
        shape = BackboneShape.of(context.original)
        members, log["shard_seconds"] = self.train_shards(shape, rows, labels, every, context)
        state = ShardedState(
            seconds=0.0,
            shape=shape,
            partition=partition,
            members=tuple(members[s] for s in every),
            shard_rows=tuple(int(n) for n in np.bincount(labels, minlength=len(every))),
            log=log | {"executor": context.stages.describe()},
        )
        _, aggregator, aggregated = self.aggregate(state, state.members, rows, context)
        return replace(
            state,
            aggregator=aggregator,
            log=state.log | aggregated,
            seconds=time.perf_counter() - start,
        )

    def unlearn(self, state: PreparedState | None, request: UnlearningRequest) -> UnlearningOutcome:
        start, state = time.perf_counter(), self.prepared(state, ShardedState)
        forget = request.train_rows["forget"].to_numpy(bool)
        labels = state.partition.labels_of(request.train_rows)
        touched = sorted(int(s) for s in np.unique(labels[forget]))
        retain = request.retain_rows
        retrained, seconds = self.train_shards(
            state.shape, retain, labels[~forget], touched, request
        )
        after = state.without(retain, labels[~forget], retrained) if touched else state
        model, aggregator, log = self.aggregate(after, after.members, retain, request)
        unit = self.unit
        return UnlearningOutcome(
            model.to(request.device),
            {
                "seconds": time.perf_counter() - start,
                "prepare_seconds": state.seconds,
                f"{unit}s_retrained": len(touched),
                f"{unit}s": state.partition.n_shards,
                f"{unit}_seconds": seconds,
                "executor": request.stages.describe(),
                "retain_rows": len(retain),
                **log,
            },
            replace(after, aggregator=aggregator),
        )
