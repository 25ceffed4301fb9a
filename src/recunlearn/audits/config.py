"""Typed parameters of the audits (``conf/base/parameters_audits.yml``); pydantic only, so
the parameter check reads them without importing torch or scikit-learn."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, field_validator


class LiraConfig(BaseModel):
    """The likelihood-ratio attack (LiRA): reference models on random halves of the rows."""

    model_config = ConfigDict(extra="forbid")

    references: int = Field(16, ge=0)
    """Reference models R (even; each pool row in exactly R/2). 0: not run. On ML-100K
    (tuning off, 2 busy cores) 16 references cost 7 s for MF and 85 s for LightGCN, so
    the default run includes them."""
    epochs: PositiveInt | None = None
    """Epochs of each reference model; None: Original's best epoch (its early stop)."""
    fprs: list[float] = Field(default_factory=lambda: [0.01, 0.001], min_length=1)
    """False-positive rates at which the true-positive rate is reported."""
    shown: Literal["tail", "ratio"] = "tail"
    """The score the report shows (both are computed; see ``audits/lira.py``)."""

    @field_validator("references")
    @classmethod
    def _even(cls, value: int) -> int:
        if value % 2 or value == 2:
            raise ValueError(f"must be 0 or an even number >= 4, got {value}")
        return value

    @field_validator("fprs")
    @classmethod
    def _rates(cls, value: list[float]) -> list[float]:
        if not all(0 < rate < 1 for rate in value):
            raise ValueError(f"every rate must be in (0, 1), got {value}")
        return value


class AuditsConfig(BaseModel):
    """What the ``audits`` pipeline measures for every model of a backbone."""

    model_config = ConfigDict(extra="forbid")

    population: bool = True
    """Run the population membership-inference attack (fit on Original, applied to D_r
    against held-out rows matched on item popularity and user activity)."""
    k: PositiveInt = 20
    """Length of the top-K lists of the exposure checks (fake items of noise injection)."""
    lira: LiraConfig = Field(default_factory=LiraConfig)
    user_pool: int = Field(0, ge=0)
    """Users held out of D at ingestion (drawn from ``seed``; ``recunlearn.data.audit_pool``)
    as the non-members of user-level LiRA, run beside the row-level attack when the
    request is ``user_wise`` and ``lira.references`` > 0. No audited model trains on them;
    their rows are ``prm_audit_pool``. 0: off (D keeps every user)."""
