"""The one small interface every unlearning method implements.

A method receives an :class:`UnlearningRequest` (the trained Original model, the
training table D with its ``forget`` column, the validation rows and the training
hyperparameters) and returns an :class:`UnlearningOutcome`: the unlearned model and
a flat log. Approximate methods (influence, fine-tuning) do all their work here;
exact methods (shards, sequences) will add work at training time through their own
preparation step, leaving this interface unchanged.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pandas as pd
import torch
from pydantic import BaseModel

from recunlearn.models.base import Recommender
from recunlearn.training.config import TrainConfig


@dataclass(frozen=True)
class UnlearningRequest:
    """Everything a method may use. Methods must not mutate any of it."""

    original: Recommender
    train_rows: pd.DataFrame
    """D, with a boolean ``forget`` column marking D_r."""
    valid_rows: pd.DataFrame
    train_config: TrainConfig
    seed: int
    device: torch.device | str = "cpu"

    @property
    def forget_rows(self) -> pd.DataFrame:
        return self.train_rows[self.train_rows["forget"]].reset_index(drop=True)

    @property
    def retain_rows(self) -> pd.DataFrame:
        return self.train_rows[~self.train_rows["forget"]].reset_index(drop=True)


@dataclass
class UnlearningOutcome:
    """The unlearned model and what it cost."""

    model: Recommender
    log: dict[str, Any] = field(default_factory=dict)


class UnlearningMethod(ABC):
    """Removes the influence of D_r from a trained recommender."""

    name: ClassVar[str]
    config_type: ClassVar[type[BaseModel]]

    def __init__(self, config: BaseModel | dict[str, Any] | None = None) -> None:
        self.config = self.config_type.model_validate(config or {})

    @abstractmethod
    def unlearn(self, request: UnlearningRequest) -> UnlearningOutcome:
        """Return a new model; ``request`` is left untouched."""
