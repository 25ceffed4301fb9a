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
from recunlearn.seeding import derive_seed
from recunlearn.training.stages import (
    BackboneShape,
    Parameters,
    StageTask,
    build_stage_model,
    isolated_task,
    stage_seed,
)
from recunlearn.unlearning.base import (
    PrepareContext,
    PreparedState,
    UnlearningMethod,
    UnlearningOutcome,
    UnlearningRequest,
)
from recunlearn.unlearning.exact.config import ShardedConfig
from recunlearn.unlearning.exact.sharded_state import ShardedState, sliced
from recunlearn.unlearning.partitions import Partition, RowPartition, row_slices

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

    def slice_count(self) -> int:
        """R: the stages each shard trains in (SISA's slices); 1 for the other methods."""
        return 1

    def slice_task(
        self,
        shape: BackboneShape,
        rows: pd.DataFrame,
        shard: int,
        stage: int,
        start: Parameters | None,
        request: Context,
    ) -> StageTask:
        """Slice stage ``stage`` of shard ``shard`` on ``rows`` (the shard's slices up to
        ``stage``), from ``start``. The epochs are shared out: E // R each, the first
        E % R stages one more; stage 0 keeps the unsliced shard's seeds, so R = 1 is the
        plain isolated sub-model."""
        task = self.shard_task(shape, rows, shard, request)
        if self.slice_count() == 1:
            return task
        share, extra = divmod(self.config.epochs, self.slice_count())
        batches = (
            task.batch_seed
            if stage == 0
            else stage_seed(
                request.seed, self.name, shape.backbone, shard, f"batches-slice-{stage}"
            )
        )
        return replace(task, start=start, epochs=share + (stage < extra), batch_seed=batches)

    def train_shards(
        self,
        shape: BackboneShape,
        rows: pd.DataFrame,
        labels: np.ndarray,
        resume: dict[int, tuple[int, tuple[Parameters, ...]]],
        request: Context,
    ) -> tuple[dict[int, Parameters], dict[int, tuple[Parameters, ...]], float]:
        """Train the shards of ``resume`` on their rows of ``rows``, slice stage by slice
        stage (the stages of one round run together through the executor).

        ``resume[s] = (k, checkpoints)``: shard s restarts at stage k from
        ``checkpoints[k - 1]`` (k = 0: its initialisation). Returns each shard's final
        parameters, its checkpoints after every stage but the last, and the summed
        stage seconds.
        """
        n_stages = self.slice_count()
        slices = self.slices_of(rows, shape, request)
        current = {s: ckpts[k - 1] if k else None for s, (k, ckpts) in resume.items()}
        kept = {s: list(ckpts[:k]) for s, (k, ckpts) in resume.items()}
        seconds = 0.0
        for stage in range(n_stages):
            active = [s for s, (k, _) in resume.items() if k <= stage]
            tasks = [
                self.slice_task(
                    shape, rows[(labels == s) & (slices <= stage)], s, stage, current[s], request
                )
                for s in active
            ]
            names = [f"{self.name} {self.unit} {s}" + self.stage_name(stage) for s in active]
            for s, (parameters, took) in zip(
                active, request.stages.train(tasks, names), strict=True
            ):
                current[s], seconds = parameters, seconds + took
                if stage < n_stages - 1:
                    kept[s].append(parameters)
        checkpoints = {s: tuple(ckpts) for s, ckpts in kept.items()}
        return current, checkpoints, seconds

    def slices_of(self, rows: pd.DataFrame, shape: BackboneShape, request: Context) -> np.ndarray:
        """The slice of every row of ``rows`` (all 0 without slicing)."""
        seed = derive_seed(request.seed, self.name)
        return row_slices(rows, shape.n_items, self.slice_count(), seed)

    def stage_name(self, stage: int) -> str:
        """`` slice k`` in progress labels when shards are sliced."""
        return f" slice {stage}" if self.slice_count() > 1 else ""

    def restart_stages(
        self, state: ShardedState, request: UnlearningRequest, labels: np.ndarray
    ) -> dict[int, tuple[int, tuple[Parameters, ...]]]:
        """Every touched shard's restart: (its earliest slice holding a row of D_r, its
        checkpoints)."""
        forget = request.train_rows["forget"].to_numpy(bool)
        slices = self.slices_of(request.train_rows, state.shape, request)
        return {
            int(s): (int(slices[forget & (labels == s)].min()), state.checkpoints_of(int(s)))
            for s in np.unique(labels[forget])
        }

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
        fresh = dict.fromkeys(every, (0, ()))
        members, checkpoints, log["shard_seconds"] = self.train_shards(
            shape, rows, labels, fresh, context
        )
        state = ShardedState(
            seconds=0.0,
            shape=shape,
            partition=partition,
            members=tuple(members[s] for s in every),
            checkpoints=sliced(tuple(checkpoints[s] for s in every)),
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
        restarts = self.restart_stages(state, request, labels)
        touched, retain = sorted(restarts), request.retain_rows
        retrained, checkpoints, seconds = self.train_shards(
            state.shape, retain, labels[~forget], restarts, request
        )
        after = state.without(retain, labels[~forget], retrained, checkpoints) if touched else state
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
                "slice_stages_retrained": sum(self.slice_count() - k for k, _ in restarts.values()),
                "executor": request.stages.describe(),
                "retain_rows": len(retain),
                **log,
            },
            replace(after, aggregator=aggregator),
        )
