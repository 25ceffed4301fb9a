"""Retrain: train from scratch on D - D_r, the ground truth of unlearning.

It uses the same seed stream and hyperparameters as Original, so with an empty
forget set it reproduces Original exactly. ``seed_key`` names another stream:
``Retrain*`` (a second retrain with another seed) measures how far two retrains
differ, the yardstick of the AltEraser paper. In a stream of requests each request
retrains from scratch on what remains: nothing carries from one request to the next.
"""

from __future__ import annotations

import time

from recunlearn.models import build_backbone
from recunlearn.seeding import torch_generator
from recunlearn.training.dispatch import train_backbone
from recunlearn.unlearning.base import (
    PreparedState,
    UnlearningMethod,
    UnlearningOutcome,
    UnlearningRequest,
)
from recunlearn.unlearning.config import RetrainConfig


def training_streams(seed: int, backbone: str, seed_key: str = "") -> tuple[object, object]:
    """(init, batch-order) generators of a backbone's training run.

    ``seed_key`` changes the training process only (the batch order): Retrain* starts
    from Retrain's very initialisation and differs in its seed for training alone
    (AltEraser §5.2.1).
    """
    batch_keys = ("train", backbone, seed_key) if seed_key else ("train", backbone)
    return torch_generator(seed, "train", backbone, "init"), torch_generator(
        seed, *batch_keys, "batches"
    )


class Retrain(UnlearningMethod):
    """Train a fresh backbone on D - D_r with Original's hyperparameters."""

    name = "retrain"
    label = "Retrain"
    family = "ground truth"
    config_type = RetrainConfig

    def unlearn(self, state: PreparedState | None, request: UnlearningRequest) -> UnlearningOutcome:
        start = time.perf_counter()
        original, cfg = request.original, request.train_config
        retain = request.retain_rows
        init, batches = training_streams(request.seed, original.name, self.config.seed_key)
        model = build_backbone(
            original.name,
            original.n_users,
            original.n_items,
            cfg,
            retain,
            generator=init,
        )
        train_log = train_backbone(model, retain, request.valid_rows, cfg, batches, request.device)
        return UnlearningOutcome(
            model=model,
            log={
                "seconds": time.perf_counter() - start,
                "epochs": train_log.epochs,
                "best_epoch": train_log.best_epoch,
                "seconds_per_epoch": train_log.seconds_per_epoch,
                "retain_rows": len(retain),
                "forget_rows": int(request.train_rows["forget"].sum()),
            },
        )
