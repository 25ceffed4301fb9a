"""Settings of the ground truth (Retrain, Retrain*), importable without torch."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class RetrainConfig(BaseModel):
    """Retrain has no knobs beyond the training hyperparameters."""

    model_config = ConfigDict(extra="forbid")
    seed_key: str = ""
    """Empty: Original's batch-order stream. Any other text: an independent batch order from
    the same initialisation (Retrain*)."""


class RetrainStarConfig(RetrainConfig):
    seed_key: str = "star"
