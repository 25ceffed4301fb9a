"""Typed tuning parameters (``conf/*/parameters_tuning.yml``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class TuningConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    storage: str = "sqlite:///data/04_feature/optuna.db"
    """Any Optuna RDB storage URL; several workers may share it."""
    n_trials: dict[str, int] = Field(default_factory=lambda: {"default": 8})
    """Finished trials wanted per backbone name (``default`` for the others)."""
    timeout: float | None = None
    """Seconds after which a worker starts no new trial (None: no limit)."""
    max_epochs: int = Field(200, ge=1)
    """Epoch cap of each trial's training (early stopping and pruning may end it sooner)."""
    heartbeat_seconds: int = Field(30, ge=1)
    """A running trial whose worker is silent for twice this long is failed and re-run."""
    pruner_warmup: int = Field(5, ge=0)
    """Evaluations before the median pruner may stop a trial."""
    use_tuned: bool = True
    """Training takes the best stored parameters (when a study has any)."""
    spaces: dict[str, dict[str, Any]] = Field(default_factory=dict)
    """Search space per backbone name: ``{hyperparameter: spec}``."""

    def trials_for(self, backbone: str) -> int:
        return self.n_trials.get(backbone, self.n_trials.get("default", 8))
