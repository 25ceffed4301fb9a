"""Issue 24's cost targets ("Unlearning that costs what the request needs"), typed once.

Every verdict on the cost page (``docs/results/cost.md``) is computed from these values
and a benchmark's table, never typed. Verdicts are judged on process CPU time (the
benchmarks run one torch thread, so CPU time is the work itself and moves less than wall
time on a shared machine); the page prints wall time beside it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

JUDGED_ON = "process CPU time (one torch thread); wall time beside it"


class CostTargets(BaseModel):
    """The issue's targets; each bound is inclusive."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ifru_update_epochs: float = Field(
        1.5,
        gt=0,
        description="at most: IFRU's MF update in MF training epochs (ML-100K, 2 % label "
        "flip, mean over seeds)",
    )
    ifru_seeds: int = Field(3, ge=1, description="seeds the IFRU update is measured on")
    fixed_request_rows: tuple[float, float] = Field(
        (1e5, 1e6), description="synthetic training rows: the speed-up grows from one to the other"
    )
    fixed_request_speedup: float = Field(
        40.0, gt=0, description="at least: a fixed 1,000-row request's speed-up at 10^6 rows"
    )
    receraser_ubp_speedup: float = Field(
        5.0, gt=0, description="at least: RecEraser UBP's single-user speed-up over Retrain"
    )
    receraser_inbp_speedup: float = Field(
        3.0, gt=0, description="at least: RecEraser InBP's single-user speed-up over Retrain"
    )
    mf_floor_ratio: float = Field(
        2.0, gt=0, description="at most: an MF epoch over the dense-Adam memory-traffic floor"
    )
    recbole_lead: float = Field(
        4.0,
        gt=0,
        description="at least: RecBole BPR's seconds per training row over the project's MF "
        "(ML-100K, wall time; the lead the issue measured, kept)",
    )
    threads: int = Field(1, ge=1, description="torch threads of every measurement")


TARGETS = CostTargets()


def verdict(value: float, bound: float, at_most: bool) -> str:
    """``met`` or ``not met``: ``value`` against an inclusive bound."""
    return "met" if (value <= bound if at_most else value >= bound) else "not met"
