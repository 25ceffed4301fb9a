"""Typed tuning parameters (``conf/*/parameters_tuning.yml``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, field_validator

from recunlearn.parameters import backbone_keyed
from recunlearn.training.config import TrainConfig
from recunlearn.tuning.search_space import ParameterSpec


class TuningConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    storage: str = "sqlite:///data/04_feature/optuna.db"
    """Any Optuna RDB storage URL; several workers may share it."""
    n_trials: dict[str, NonNegativeInt] = Field(default_factory=lambda: {"default": 8})
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
    spaces: dict[str, dict[str, ParameterSpec]] = Field(default_factory=dict)
    """Search space per backbone name: ``{hyperparameter: spec}``, the hyperparameters
    being :class:`TrainConfig` fields."""

    @field_validator("n_trials")
    @classmethod
    def _trials_per_backbone(cls, value: dict[str, int]) -> dict[str, int]:
        return backbone_keyed(value)

    @field_validator("spaces")
    @classmethod
    def _spaces_per_backbone(
        cls, value: dict[str, dict[str, ParameterSpec]]
    ) -> dict[str, dict[str, ParameterSpec]]:
        for backbone, space in backbone_keyed(value, default_allowed=False).items():
            unknown = sorted(set(space) - set(TrainConfig.model_fields))
            if unknown:
                raise ValueError(
                    f"{backbone}: {unknown} are not training hyperparameters; "
                    f"valid names: {', '.join(sorted(TrainConfig.model_fields))}"
                )
        return value

    def trials_for(self, backbone: str) -> int:
        return self.n_trials.get(backbone, self.n_trials.get("default", 8))
