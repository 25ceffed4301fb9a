"""Typed parameters of the pipeline steps (validated before the core sees them).

Kedro builds these from ``conf/*/parameters_<step>.yml``: a node whose ``params:``
input is hinted with one of these models gets a validated object, and every node
also calls ``model_validate`` so in-memory runs with plain dicts are checked too.
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, field_validator

from recunlearn.data import SplitStrategy
from recunlearn.models import BACKBONES

Keyed = TypeVar("Keyed", bound=dict[str, Any])


def backbone_keyed(value: Keyed, *, default_allowed: bool = True) -> Keyed:
    """``value`` unchanged when every key names a registered backbone (or ``default``).

    For per-backbone settings (``tuning.n_trials``, ``unlearning.ifru.pruning_ratios``),
    where a misspelt backbone would otherwise be silently ignored.

    Raises:
        ValueError: listing the unknown keys and the valid names.
    """
    valid = sorted([*BACKBONES, "default"] if default_allowed else BACKBONES)
    unknown = sorted(set(value) - set(valid))
    if unknown:
        raise ValueError(f"unknown backbone name(s) {unknown}; valid names: {', '.join(valid)}")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SplitConfig(_Strict):
    strategy: SplitStrategy = "random"
    """``random``: by interaction (IFRU); ``per_user``: within each user (AltEraser)."""
    fractions: tuple[float, float, float] = (0.6, 0.2, 0.2)
    """Train / validation / test shares: non-negative, summing to 1, train and test positive."""

    @field_validator("fractions")
    @classmethod
    def _shares(cls, value: tuple[float, float, float]) -> tuple[float, float, float]:
        train, valid, test = value
        if min(value) < 0 or abs(train + valid + test - 1.0) > 1e-9:
            raise ValueError(f"must be 3 non-negative shares summing to 1, got {list(value)}")
        if train == 0 or test == 0:
            raise ValueError(f"the train and test shares must be positive, got {list(value)}")
        return value


class IngestionConfig(_Strict):
    label_threshold: float | None = None
    """Override the dataset's own positive-label threshold (None: the dataset's)."""
    k_core: int = Field(5, ge=0)
    """Iterative k-core: every user and item keeps at least this many rows."""
    split: SplitConfig = SplitConfig()


class PoisoningConfig(_Strict):
    kind: Literal["label_flip", "noise_injection", "private", "user_wise", "category", "none"] = (
        "label_flip"
    )
    ratio: float = Field(0.02, gt=0, lt=1)
    """label_flip: share of training rows whose label is flipped, in (0, 1)."""
    n_users: PositiveInt = 64
    """noise_injection: users who receive fake positives; private: users who delete half
    of their positive training rows; category: users who delete their rows on ``genre``."""
    percent: float = Field(5.0, gt=0, lt=100)
    """user_wise: K, the percentage of users whose rows are forgotten."""
    selection: Literal["rand", "top"] = "rand"
    """user_wise: random users (rand@K) or the most active (top@K)."""
    user_count: PositiveInt | None = None
    """user_wise: forget exactly this many users instead of ``percent`` % (1: a single
    user's request, where shard-based exact methods retrain few shards)."""
    genre: str = "Horror"
    """category: the genre (of the dataset's item file, e.g. ``ml-100k.item``) whose
    training rows the ``n_users`` users delete."""


class EvaluationConfig(_Strict):
    ks: list[PositiveInt] = [10, 20, 50]
    """Cut-offs of Recall@K, NDCG@K and RBO@K."""
    rbo_p: float = Field(0.9, gt=0, lt=1)
    """Persistence p of rank-biased overlap."""

    @field_validator("ks")
    @classmethod
    def _non_empty(cls, value: list[int]) -> list[int]:
        if not value:
            raise ValueError("must list at least one cut-off")
        return sorted(set(value))
