"""Typed tuning parameters (``conf/*/parameters_tuning.yml``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, field_validator

from recunlearn.models import BACKBONE_SPECS
from recunlearn.parameters import backbone_keyed
from recunlearn.tuning.search_space import ParameterSpec


class TuningConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    storage: str
    """Any Optuna RDB storage URL; several workers may share it. Configuration states it
    (``conf/base``: a SQLite file in the environment's data root); the code has none."""
    enabled: bool = True
    """False: no trials at all, whatever ``n_trials`` says (protocols that fix their
    hyperparameters, such as LASER's and AltEraser's; a switch, so an environment
    states only that instead of repeating every backbone's trial count)."""
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
    reach_factor: float | None = Field(3.0, ge=1.0)
    """Epochs-to-reach pruning: a trial that has not reached the best complete trial's
    value within this many times the epochs that trial took to reach it is pruned
    (``recunlearn.tuning.pruning``). None: the median rule alone."""
    use_tuned: bool = True
    """Training takes the best stored parameters (when a study has any)."""
    spaces: dict[str, dict[str, ParameterSpec]] = Field(default_factory=dict)
    """Search space per backbone name: ``{hyperparameter: spec}``, the hyperparameters
    being fields of that backbone's config type (``training.<backbone>``)."""

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
            fields = BACKBONE_SPECS[backbone].config_type.model_fields
            unknown = sorted(set(space) - set(fields))
            if unknown:
                raise ValueError(
                    f"{backbone}: {unknown} are not training.{backbone} hyperparameters; "
                    f"valid names: {', '.join(sorted(fields))}"
                )
        return value

    def trials_for(self, backbone: str) -> int:
        """Finished trials wanted for ``backbone`` (none when tuning is off)."""
        if not self.enabled:
            return 0
        return self.n_trials.get(backbone, self.n_trials.get("default", 8))
