"""Typed training hyperparameters, validated before the core sees them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, PositiveInt


class TrainConfig(BaseModel):
    """Hyperparameters of one backbone's training run (point-wise BCE, Adam)."""

    model_config = ConfigDict(extra="forbid")

    embedding_dim: PositiveInt = 64
    """Embedding size d."""
    init_std: float = Field(0.01, gt=0)
    """Standard deviation of the Gaussian initialisation."""
    n_layers: int = Field(1, ge=0)
    """LightGCN propagation layers K (ignored by MF)."""
    mlp_layers: list[PositiveInt] = Field(default_factory=lambda: [64, 32], min_length=1)
    """Hidden sizes of DMF's two towers and of NeuMF's MLP branch (LASER: 64, 32);
    ignored by MF and LightGCN."""
    lr: float = Field(1e-3, gt=0)
    """Learning rate of the backbone's optimiser (Adam; AdamW for ENMF)."""
    l2: float = Field(0.0, ge=0)
    """Weight of the L2 penalty on ego embeddings (per row for BCE backbones, once per
    embedding for ENMF's whole-data loss)."""
    negative_weight: float = Field(0.1, gt=0, le=1)
    """ENMF: weight c0 of every unobserved (user, item) pair in the whole-data loss
    (ignored by the per-row BCE backbones)."""
    batch_size: PositiveInt = 2048
    """Rows per mini-batch (users per batch for ENMF's whole-data loss)."""
    max_epochs: PositiveInt = 1000
    patience: PositiveInt = 20
    """Evaluations without a validation-AUC_0 gain above ``min_delta`` before stopping."""
    min_delta: float = Field(1e-4, ge=0)
    eval_every: PositiveInt = 1
    """Epochs between validation evaluations."""
