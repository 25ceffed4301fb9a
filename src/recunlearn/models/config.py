"""Typed training hyperparameters of each backbone, validated before the core sees them.

:class:`TrainConfig` holds what every backbone's training uses; each backbone's own
type (``training.<backbone>``) adds only its own fields, and every type refuses a
name it lacks, so ``training.mf.n_layers`` is an error, not a silently ignored value.
This module imports pydantic only: the parameter check reads it without torch.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, PositiveInt


class TrainConfig(BaseModel):
    """Hyperparameters every backbone's training run uses (point-wise BCE, Adam)."""

    model_config = ConfigDict(extra="forbid")

    embedding_dim: PositiveInt = 64
    """Embedding size d."""
    init_std: float = Field(0.01, gt=0)
    """Standard deviation of the Gaussian initialisation."""
    lr: float = Field(1e-3, gt=0)
    """Learning rate of the backbone's optimiser (Adam; AdamW for ENMF)."""
    l2: float = Field(0.0, ge=0)
    """Weight of the L2 penalty on ego embeddings (per row for BCE backbones, once per
    embedding for ENMF's whole-data loss)."""
    batch_size: PositiveInt = 2048
    """Rows per mini-batch (users per batch for ENMF's whole-data loss)."""
    max_epochs: PositiveInt = 1000
    patience: PositiveInt = 20
    """Evaluations without a validation-AUC_0 gain above ``min_delta`` before stopping."""
    min_delta: float = Field(1e-4, ge=0)
    eval_every: PositiveInt = 1
    """Epochs between validation evaluations."""


class MFConfig(TrainConfig):
    """``training.mf``: matrix factorisation has no field of its own."""


class LightGCNConfig(TrainConfig):
    """``training.lightgcn``."""

    n_layers: int = Field(1, ge=0)
    """Propagation layers K."""


class DMFConfig(TrainConfig):
    """``training.dmf``."""

    mlp_layers: list[PositiveInt] = Field(default_factory=lambda: [64, 32], min_length=1)
    """Hidden sizes of each of the two towers (LASER: 64, 32)."""


class NeuMFConfig(TrainConfig):
    """``training.neumf``."""

    mlp_layers: list[PositiveInt] = Field(default_factory=lambda: [64, 32], min_length=1)
    """Hidden sizes of the MLP branch (LASER: 64, 32)."""


class ENMFConfig(TrainConfig):
    """``training.enmf``."""

    negative_weight: float = Field(0.1, gt=0, le=1)
    """Weight c0 of every unobserved (user, item) pair in the whole-data loss."""
