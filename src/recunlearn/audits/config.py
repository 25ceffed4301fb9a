"""Typed parameters of the audits (``conf/base/parameters_audits.yml``); pydantic only, so
the parameter check reads them without importing torch or scikit-learn."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, PositiveInt


class AuditsConfig(BaseModel):
    """What the ``audits`` pipeline measures for every model of a backbone."""

    model_config = ConfigDict(extra="forbid")

    population: bool = True
    """Run the population membership-inference attack (fit on Original, applied to D_r
    against held-out rows matched on item popularity and user activity)."""
    k: PositiveInt = 20
    """Length of the top-K lists of the exposure checks (fake items of noise injection)."""
