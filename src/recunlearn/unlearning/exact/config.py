"""Settings of the exact methods (SISA, RecEraser, LASER, C-SISA), importable without torch."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, model_validator

from recunlearn.grouping.config import Grouping, Order
from recunlearn.models import DOT_PRODUCT_BACKBONES, PER_ROW_BACKBONES

PartitionKind = Literal["user", "item", "interaction"]


class ShardedConfig(BaseModel):
    """Shards and the sub-models' training."""

    model_config = ConfigDict(extra="forbid")

    shards: PositiveInt = 10
    """S: number of shards (10 in the IFRU paper's comparison)."""
    epochs: PositiveInt = 50
    """Epochs each shard's sub-model trains (fixed, as C-SISA's and LASER's T: no early
    stopping, so a shard is a function of its rows and seeds alone)."""


class SisaConfig(ShardedConfig):
    """Random balanced interaction shards, averaged; optionally sliced."""

    slices: PositiveInt = 1
    """R: slices per shard (the "S" of SISA). Each shard trains on its slices
    cumulatively with a checkpoint after each; a request restarts a touched shard from
    the checkpoint before its earliest touched slice. 1: no slicing."""

    @model_validator(mode="after")
    def _every_slice_trains(self) -> SisaConfig:
        if self.slices > self.epochs:
            raise ValueError(
                f"slices ({self.slices}) must not exceed epochs ({self.epochs}): "
                "the epochs are shared out among the slice stages, at least one each"
            )
        return self


ATTENTION_BACKBONES = DOT_PRODUCT_BACKBONES & PER_ROW_BACKBONES
"""RecEraser's: the aggregator attends over members' (propagated) embeddings and trains
with per-row BCE: dot-product backbones trained per row (MF, LightGCN)."""


class RecEraserConfig(ShardedConfig):
    """Balanced partition, sub-models and the attention aggregator."""

    partition: PartitionKind = "interaction"
    """``user`` (UBP), ``item`` (IBP) or ``interaction`` (InBP)."""
    capacity_factor: float = Field(1.2, ge=1.0)
    """A shard holds at most ceil(capacity_factor * N / S) points."""
    partition_iterations: PositiveInt = 20
    """Most assignment / centroid-update rounds of the balanced partition."""
    attention_dim: PositiveInt = 32
    """Hidden size of the attention networks."""
    aggregator_epochs: PositiveInt = 10
    """Epochs of the aggregator's training (shards frozen)."""
    aggregator_lr: float = Field(0.02, gt=0)
    """Adam learning rate of the aggregator."""
    aggregator_batch_size: PositiveInt | None = None
    """Rows per aggregator step; None: all of them (one step per epoch). A step costs
    one aggregation of every user and item (the shards' tables are frozen, so that is
    all a step's forward and backward pass through them), which a batch of a few
    thousand ML-100K rows already needs: larger batches make an epoch cheaper."""


class CSisaConfig(BaseModel):
    """Isolated training per user group."""

    model_config = ConfigDict(extra="forbid")

    grouping: Grouping = "cbkm"
    """Which of the grouping step's groupings defines the sub-models' users."""
    epochs: PositiveInt = 50
    """T: epochs per sub-model."""


class LaserConfig(BaseModel):
    """SeqTrain over one of the grouping step's groupings."""

    model_config = ConfigDict(extra="forbid")

    grouping: Grouping = "cbkm"
    """``cbkm`` (L-CBKM, LASER), ``bkm`` (L-BKM) or ``rand`` (L-Rand)."""
    order: Order = "easy_to_hard"
    """``easy_to_hard``: descending cohesion (SeqTrain); ``hard_to_easy``: anti-SeqTrain."""
    epochs: PositiveInt = 50
    """T: epochs per group (the paper's 50 on MovieLens)."""
