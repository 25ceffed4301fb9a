"""Search spaces as data: each hyperparameter's distribution comes from parameters.

A space maps a field of the backbone's config type (``training.<backbone>``) to a spec,
e.g. for LightGCN::

    lr: {type: categorical, choices: [0.01, 0.001, 0.0001]}
    l2: {type: float, low: 1.0e-6, high: 0.1, log: true}
    n_layers: {type: int, low: 1, high: 3}
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

from recunlearn.errors import ParameterError
from recunlearn.models import BACKBONE_SPECS

if TYPE_CHECKING:
    import optuna


class ParameterSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["categorical", "float", "int"]
    choices: list[Any] | None = None
    low: float | None = None
    high: float | None = None
    log: bool = False

    @model_validator(mode="after")
    def _complete(self) -> ParameterSpec:
        if self.type == "categorical" and not self.choices:
            raise ValueError("a categorical parameter needs a non-empty 'choices' list")
        if self.type != "categorical" and (
            self.low is None or self.high is None or self.low > self.high
        ):
            raise ValueError(f"a {self.type} parameter needs 'low' <= 'high'")
        return self


def validate_space(space: dict[str, Any], backbone: str) -> dict[str, ParameterSpec]:
    """Typed specs of ``tuning.spaces.<backbone>``; a clear error for an empty space or
    a name the backbone's config type lacks."""
    where = f"tuning.spaces.{backbone}"
    fields = BACKBONE_SPECS[backbone].config_type.model_fields
    if not space:
        raise ParameterError(
            f"parameter '{where}' is an empty search space: give at least one hyperparameter"
        )
    unknown = sorted(set(space) - set(fields))
    if unknown:
        raise ParameterError(
            f"parameter '{where}' names {unknown}, which are not training.{backbone} "
            f"hyperparameters ({sorted(fields)})"
        )
    return {name: ParameterSpec.model_validate(spec) for name, spec in space.items()}


def suggest(trial: optuna.Trial, space: dict[str, ParameterSpec]) -> dict[str, Any]:
    """One value per hyperparameter, drawn by the trial's sampler."""
    values: dict[str, Any] = {}
    for name, spec in sorted(space.items()):
        if spec.type == "categorical":
            values[name] = trial.suggest_categorical(name, spec.choices)
        elif spec.type == "int":
            values[name] = trial.suggest_int(name, int(spec.low), int(spec.high), log=spec.log)
        else:
            values[name] = trial.suggest_float(name, spec.low, spec.high, log=spec.log)
    return values
