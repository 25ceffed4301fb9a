"""LASER (Li et al., KBS 2024): sequential training over user groups, exact unlearning.

Learning (SeqTrain, §3.3): one model is trained on the groups one after the other,
``epochs`` (T) epochs each, in descending collaborative cohesion (easy to hard); the
parameters before the first group and after every group are saved (checkpoints
0..S). Unlearning: the earliest group in the order that holds a row of the request
is found, training restarts from the checkpoint before it, and that group and all
later ones are retrained on the remaining rows. The result equals SeqTrain run from
scratch on D - E with the same groups, order and seeds, bit for bit on the CPU; so do
the checkpoints it returns for the next request (those before the restart, kept, and
the retrained ones after it), so a stream of requests stays exact.

Choices where the paper is silent (each tested):
- Every stage starts a fresh Adam optimiser, so a checkpoint is the parameters alone.
- The initial parameters come from Original's initialisation stream
  (``training_streams``) and stage g's batch order from
  ``stage_seed(seed, "laser", backbone, g, "batches")``.
- Graph backbones (LightGCN) propagate at stage k over the positive rows of the groups
  trained so far: a stage never depends on a later group's data, which is what makes
  restarting from a checkpoint exact. The final model serves the graph of all rows.
- Any request is accepted: a row belongs to its user's group.
"""

from __future__ import annotations

import time
from dataclasses import replace

from recunlearn.models import PER_ROW_BACKBONES
from recunlearn.seeding import derive_seed
from recunlearn.training.stages import BackboneShape
from recunlearn.unlearning.base import (
    PrepareContext,
    PreparedState,
    UnlearningMethod,
    UnlearningOutcome,
    UnlearningRequest,
)
from recunlearn.unlearning.exact.config import LaserConfig
from recunlearn.unlearning.exact.seqtrain import SeqTrainPlan, SeqTrainState


class Laser(UnlearningMethod):
    """L-CBKM by default; ``grouping`` and ``order`` select the paper's ablations."""

    name = "laser"
    label = "LASER"
    config_type = LaserConfig
    contract_settings = {"epochs": 2}
    family = "exact"
    needs_groups = True
    supported_backbones = PER_ROW_BACKBONES
    """Sub-models train on per-row BCE mini-batches (``stages.train_model``)."""

    def plan(
        self, state: SeqTrainState, request: PrepareContext | UnlearningRequest
    ) -> SeqTrainPlan:
        """The SeqTrain plan ``state`` was learned with, for ``request``'s run."""
        return SeqTrainPlan(
            method="laser",
            backbone=state.shape.backbone,
            n_users=state.shape.n_users,
            n_items=state.shape.n_items,
            train_config=request.train_config,
            labels=state.groups.labels,
            order=state.groups.order,
            epochs=self.config.epochs,
            init_seed=state.init_seed,
            seed=request.seed,
            device=str(request.device),
        )

    def prepare(self, context: PrepareContext) -> SeqTrainState:
        start, original = time.perf_counter(), context.original
        state = SeqTrainState(
            seconds=0.0,
            shape=BackboneShape.of(original),
            groups=self.grouping(context).in_order(self.config.order),
            init_seed=derive_seed(context.seed, "train", original.name, "init"),
            checkpoints=(),
        )
        plan = self.plan(state, context)
        initial = plan.initial(context.train_rows)
        checkpoints, seconds = plan.train(context.train_rows, 0, initial)
        return replace(
            state,
            checkpoints=(initial, *checkpoints),
            log={"stage_seconds": seconds},
            seconds=time.perf_counter() - start,
        )

    def unlearn(self, state: PreparedState | None, request: UnlearningRequest) -> UnlearningOutcome:
        start, state = time.perf_counter(), self.prepared(state, SeqTrainState)
        plan, groups = self.plan(state, request), state.groups
        touched = groups.touched_groups(request.forget_rows, "deletion request (mi_train.forget)")
        first = min((groups.order.index(g) for g in touched), default=len(groups.order))
        retain = request.retain_rows
        checkpoints, _ = plan.train(retain, first, state.checkpoints[first])
        after = state.after(first, checkpoints)
        return UnlearningOutcome(
            plan.model(retain, after.checkpoints[-1]),
            {
                "seconds": time.perf_counter() - start,
                "prepare_seconds": state.seconds,
                "restart_stage": first,
                "stages_retrained": len(checkpoints),
                "checkpoints_reused": first + 1,
                "groups": len(groups.order),
                "retain_rows": len(retain),
            },
            after,
        )
