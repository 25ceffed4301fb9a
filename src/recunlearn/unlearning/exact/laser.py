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

import numpy as np
from pydantic import BaseModel, ConfigDict, PositiveInt

from recunlearn.seeding import derive_seed
from recunlearn.training.dispatch import PER_ROW_BACKBONES
from recunlearn.training.stages import pack_parameters, unpack_parameters
from recunlearn.unlearning.base import (
    PrepareContext,
    PreparedState,
    UnlearningMethod,
    UnlearningOutcome,
    UnlearningRequest,
)
from recunlearn.unlearning.exact.seqtrain import SeqTrainPlan
from recunlearn.unlearning.user_groups import Grouping, Order, UserGroups


class LaserConfig(BaseModel):
    """SeqTrain over one of the grouping step's groupings."""

    model_config = ConfigDict(extra="forbid")

    grouping: Grouping = "cbkm"
    """``cbkm`` (L-CBKM, LASER), ``bkm`` (L-BKM) or ``rand`` (L-Rand)."""
    order: Order = "easy_to_hard"
    """``easy_to_hard``: descending cohesion (SeqTrain); ``hard_to_easy``: anti-SeqTrain."""
    epochs: PositiveInt = 50
    """T: epochs per group (the paper's 50 on MovieLens)."""


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

    def plan(self, meta: dict, train_config, seed: int, device) -> SeqTrainPlan:
        """The SeqTrain plan a prepared state was learned with."""
        return SeqTrainPlan(
            method="laser",
            backbone=meta["backbone"],
            n_users=meta["n_users"],
            n_items=meta["n_items"],
            train_config=train_config,
            labels=np.asarray(meta["labels"], dtype=np.int64),
            order=tuple(meta["order"]),
            epochs=self.config.epochs,
            init_seed=meta["init_seed"],
            seed=seed,
            device=str(device),
        )

    def prepare(self, context: PrepareContext) -> PreparedState:
        start = time.perf_counter()
        groups = self.grouping(context).in_order(self.config.order)
        original = context.original
        meta = {
            "backbone": original.name,
            "n_users": original.n_users,
            "n_items": original.n_items,
            "labels": groups.labels.tolist(),
            "order": list(groups.order),
            "init_seed": derive_seed(context.seed, "train", original.name, "init"),
        }
        plan = self.plan(meta, context.train_config, context.seed, context.device)
        initial = plan.initial(context.train_rows)
        checkpoints, seconds = plan.train(context.train_rows, 0, initial)
        meta["stage_seconds"] = seconds
        tensors = pack_parameters("stage", dict(enumerate([initial, *checkpoints])))
        return PreparedState(meta, tensors, time.perf_counter() - start)

    def unlearn(self, state: PreparedState | None, request: UnlearningRequest) -> UnlearningOutcome:
        start = time.perf_counter()
        if state is None:
            raise ValueError(f"method {self.name!r} unlearns from its prepared state")
        plan = self.plan(state.meta, request.train_config, request.seed, request.device)
        groups = UserGroups(plan.labels, plan.order)
        touched = groups.touched_groups(request.forget_rows, "deletion request (mi_train.forget)")
        positions = [plan.order.index(g) for g in touched]
        first = min(positions, default=len(plan.order))
        retain = request.retain_rows
        checkpoints, _ = plan.train(retain, first, unpack_parameters(state.tensors, "stage", first))
        final = (
            checkpoints[-1]
            if checkpoints
            else unpack_parameters(state.tensors, "stage", len(plan.order))
        )
        model = plan.model(retain, final)
        stages = [unpack_parameters(state.tensors, "stage", k) for k in range(first + 1)]
        stages += checkpoints  # the checkpoints before the restart stand, the others renew
        next_state = PreparedState(
            state.meta, pack_parameters("stage", dict(enumerate(stages))), state.seconds
        )
        return UnlearningOutcome(
            model,
            {
                "seconds": time.perf_counter() - start,
                "prepare_seconds": state.seconds,
                "restart_stage": first,
                "stages_retrained": len(checkpoints),
                "checkpoints_reused": first + 1,
                "groups": len(plan.order),
                "retain_rows": len(retain),
            },
            next_state,
        )
