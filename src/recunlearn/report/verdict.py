"""The verdict at the top of each backbone's section: which method to use for this request.

Each candidate (every method but Original and Retrain*, the noise reference) is placed
on three axes:

- **time per request**: its unlearning seconds plus its preparation amortised over
  ``requests`` requests (a stated number, printed with the verdict);
- **forgetting**: how far its predictions on D_r are from Retrain's
  (``pred_distance_forget``, RMS); exact methods are complete by construction (0);
- **utility**: its AUC_0 (higher is better).

The Pareto front is the set of candidates that no other candidate beats on one axis
without losing on another. The recommendation is the fastest candidate whose forgetting
and utility are both within the measured seed noise of Retrain: prediction distance no
larger than RMS(p_Retrain* - p_Retrain), and |AUC_0 - Retrain's| no larger than AUC_0's
seed noise. With no noise measured nothing is "within" it, and the answer is
"none: retrain".
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from recunlearn.unlearning import EXACT_METHODS

AMORTISED_REQUESTS = 10
"""Requests a preparation is spread over in the verdict and the amortised speed-up."""
NOT_CANDIDATES = frozenset({"original", "retrain_star"})


@dataclass(frozen=True)
class Candidate:
    """One method on the verdict's three axes."""

    model: str
    seconds_per_request: float
    forgetting: float
    """Prediction distance to Retrain on D_r (0 for exact methods and Retrain)."""
    utility: float
    """AUC_0."""


def seconds_per_request(seconds: float, prepare_seconds: float, requests: int) -> float:
    """Unlearning seconds plus the preparation spread over ``requests`` requests."""
    prepare = 0.0 if math.isnan(prepare_seconds) else prepare_seconds
    return seconds + prepare / requests


def _forgetting(model: str, values: pd.Series) -> float:
    if model in EXACT_METHODS or model == "retrain":
        return 0.0
    return float(values.get((model, "pred_distance_forget"), float("nan")))


def candidates(values: pd.Series, runs: pd.DataFrame, requests: int) -> list[Candidate]:
    """Every method of ``runs`` (one backbone, indexed by model) that can be recommended."""
    out = []
    for model, run in runs.iterrows():
        if model in NOT_CANDIDATES:
            continue
        time = seconds_per_request(run["seconds"], run["prepare_seconds"], requests)
        utility = float(values.get((model, "auc_0"), float("nan")))
        out.append(Candidate(str(model), time, _forgetting(str(model), values), utility))
    return [c for c in out if not math.isnan(c.seconds_per_request)]


def _dominates(a: Candidate, b: Candidate) -> bool:
    """Whether ``a`` is no worse than ``b`` on every axis and better on one (NaN: worst)."""
    worse_inf = float("inf")
    ax = (a.seconds_per_request, _or(a.forgetting, worse_inf), -_or(a.utility, -worse_inf))
    bx = (b.seconds_per_request, _or(b.forgetting, worse_inf), -_or(b.utility, -worse_inf))
    return all(x <= y for x, y in zip(ax, bx, strict=True)) and ax != bx


def _or(value: float, fallback: float) -> float:
    return fallback if math.isnan(value) else value


def pareto_front(pool: list[Candidate]) -> list[Candidate]:
    """The candidates no other candidate dominates, fastest first."""
    front = [c for c in pool if not any(_dominates(o, c) for o in pool if o is not c)]
    return sorted(front, key=lambda c: c.seconds_per_request)


def within_noise(
    candidate: Candidate, retrain_auc: float, auc_noise: float, pred_noise: float
) -> bool:
    """Forgetting and utility both within the measured seed noise of Retrain."""
    utility_ok = abs(candidate.utility - retrain_auc) <= auc_noise
    forgetting_ok = candidate.forgetting == 0.0 or candidate.forgetting <= pred_noise
    return bool(utility_ok and forgetting_ok)


def recommended(
    pool: list[Candidate], retrain_auc: float, auc_noise: float, pred_noise: float
) -> Candidate | None:
    """The fastest candidate other than Retrain within noise of Retrain, if any."""
    fits = [
        c
        for c in pool
        if c.model != "retrain" and within_noise(c, retrain_auc, auc_noise, pred_noise)
    ]
    return min(fits, key=lambda c: c.seconds_per_request, default=None)


def _noise(coeffs: pd.DataFrame, coefficient: str) -> float:
    rows = coeffs[coeffs["coefficient"] == coefficient]
    return float(rows["noise"].iloc[0]) if not rows.empty else float("nan")


def _shown(value: float) -> str:
    return "not measured" if math.isnan(value) else f"{value:.4f}"


def verdict_lines(
    values: pd.Series,
    coeffs: pd.DataFrame,
    runs: pd.DataFrame,
    requests: int,
    label: Callable[[str], str],
) -> list[str]:
    """The recommendation and the Pareto front of one backbone, as two markdown lines.

    ``values``: its metrics by (model, metric); ``coeffs``: its coefficient table (the
    noise of AUC_0 and of the predictions on D_r); ``runs``: its run rows timed in the
    report's run, indexed by model.
    """
    pool = candidates(values, runs, requests)
    auc_noise, pred_noise = _noise(coeffs, "auc_0"), _noise(coeffs, "pred_forget")
    retrain_auc = float(values.get(("retrain", "auc_0"), float("nan")))
    front = ", ".join(
        f"{label(c.model)} ({c.seconds_per_request:.3g} s)" for c in pareto_front(pool)
    )
    best = recommended(pool, retrain_auc, auc_noise, pred_noise)
    choice = "none: retrain" if best is None else label(best.model)
    return [
        f"**Verdict: {choice}** (the fastest method whose forgetting and utility are within "
        f"the measured seed noise of Retrain; AUC_0 noise {_shown(auc_noise)}, prediction "
        f"noise on D_r {_shown(pred_noise)}).",
        f"Pareto front of time per request (preparation amortised over {requests} "
        f"requests), forgetting and utility: {front or 'empty'}.",
    ]
