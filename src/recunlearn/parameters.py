"""Typed parameters of the pipeline steps (validated before the core sees them).

Kedro builds these from ``conf/*/parameters_<step>.yml``: a node whose ``params:``
input is hinted with one of these models gets a validated object, and every node
also calls ``model_validate`` so in-memory runs with plain dicts are checked too.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, field_validator

from recunlearn.data.splitting import SplitStrategy


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SplitConfig(_Strict):
    strategy: SplitStrategy = "random"
    """``random``: by interaction (IFRU); ``per_user``: within each user (AltEraser)."""
    fractions: tuple[float, float, float] = (0.6, 0.2, 0.2)
    """Train / validation / test shares."""


class IngestionConfig(_Strict):
    label_threshold: float | None = None
    """Override the dataset's own positive-label threshold (None: the dataset's)."""
    k_core: int = Field(5, ge=0)
    """Iterative k-core: every user and item keeps at least this many rows."""
    split: SplitConfig = SplitConfig()


class PoisoningConfig(_Strict):
    kind: Literal["label_flip", "noise_injection", "user_wise", "none"] = "label_flip"
    ratio: float = Field(0.02, gt=0, lt=1)
    """label_flip: share of training rows whose label is flipped, in (0, 1)."""
    n_users: PositiveInt = 64
    """noise_injection: users who receive fake positives."""
    percent: float = Field(5.0, gt=0, lt=100)
    """user_wise: K, the percentage of users whose rows are forgotten."""
    selection: Literal["rand", "top"] = "rand"
    """user_wise: random users (rand@K) or the most active (top@K)."""
    user_count: PositiveInt | None = None
    """user_wise: forget exactly this many users instead of ``percent`` % (1: a single
    user's request, where shard-based exact methods retrain few shards)."""


class EvaluationConfig(_Strict):
    ks: list[PositiveInt] = [10, 20, 50]
    """Cut-offs of Recall@K, NDCG@K and RBO@K."""
    rbo_p: float = Field(0.9, gt=0, lt=1)
    """Persistence p of rank-biased overlap."""

    @field_validator("ks")
    @classmethod
    def _non_empty(cls, value: list[int]) -> list[int]:
        if not value:
            raise ValueError("evaluation.ks must list at least one cut-off")
        return sorted(set(value))
