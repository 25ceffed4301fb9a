"""Settings of the fine-tuning methods (Warm-Start, AltEraser), importable without torch."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class BlockConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    newton_steps: int = Field(1, ge=1)
    """Newton (or AdamW) steps per block per pass."""
    cg_iterations: int = Field(20, ge=1)
    damping: float = Field(1e-3, ge=0)
    """Initial Levenberg-Marquardt damping (on the summed-loss Hessian)."""
    line_search_steps: int = Field(5, ge=0)
    adamw_lr: float = Field(0.01, gt=0)


class AltEraserConfig(BlockConfig):
    optimizer: Literal["ah_newton", "hf_newton", "adamw"] = "ah_newton"
    max_passes: int = Field(1, ge=0)
    """Cap on the passes over all users / items after the erase pass."""
    tol: float = Field(1e-3, ge=0)
    """Stop when a pass changes the retain loss by less than this relative amount."""
    batch_size: int = Field(0, ge=0)
    """Users (items) per sub-problem; 0 puts all of one side in one block."""


class WarmStartConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
