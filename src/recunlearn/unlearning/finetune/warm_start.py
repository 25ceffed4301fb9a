"""Warm-Start: fine-tune Original on D - D_r with the training optimiser (Adam; AdamW,
the paper's first-order optimiser, for ENMF) and early stopping on validation AUC_0
(AltEraser paper, Section 4.1).

The fine-tuned model serves the D - D_r graph; the batch order comes from its own
seed stream. In a stream of requests the next request fine-tunes this model on what
then remains (``continues_from_model``); nothing is prepared, so nothing else carries.
"""

from __future__ import annotations

import copy
import time

from recunlearn.models import positive_edges
from recunlearn.seeding import torch_generator
from recunlearn.training.dispatch import train_backbone
from recunlearn.unlearning.base import (
    PreparedState,
    UnlearningMethod,
    UnlearningOutcome,
    UnlearningRequest,
)
from recunlearn.unlearning.finetune.config import WarmStartConfig


class WarmStart(UnlearningMethod):
    name = "warm_start"
    label = "Warm-Start"
    family = "fine-tuning"
    continues_from_model = True
    config_type = WarmStartConfig

    def unlearn(self, state: PreparedState | None, request: UnlearningRequest) -> UnlearningOutcome:
        start = time.perf_counter()
        model = copy.deepcopy(request.original)
        if request.forget_rows.empty:  # nothing to forget: Original is already the answer
            return UnlearningOutcome(model, {"seconds": 0.0, "epochs": 0, "best_epoch": 0})
        retain = request.retain_rows
        model.set_graph(*(t.to(model.user_embedding.device) for t in positive_edges(retain)))
        batches = torch_generator(request.seed, "warm_start", model.name)
        log = train_backbone(
            model, retain, request.valid_rows, request.train_config, batches, request.device
        )
        return UnlearningOutcome(
            model,
            {
                "seconds": time.perf_counter() - start,
                "epochs": log.epochs,
                "best_epoch": log.best_epoch,
            },
        )
