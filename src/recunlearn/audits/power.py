"""Audit power: can an attack tell Original (which saw D_r) from Retrain (which did not)?

An attack judges unlearning methods only where it detects Original. A rate's sampling
error is the binomial one, sqrt(p (1 - p) / n); an AUC's is Hanley and McNeil's (1982).
The attack has power when Original and Retrain differ by more than two standard errors
of their difference.
"""

from __future__ import annotations

import math

NO_POWER = "this attack cannot tell the methods apart here"


def rate_error(rate: float, n: int) -> float:
    """Binomial standard error of a rate measured on ``n`` trials."""
    return math.sqrt(max(rate * (1 - rate), 0.0) / n) if n else float("nan")


def auc_error(value: float, n_pos: int, n_neg: int) -> float:
    """Hanley-McNeil standard error of an AUC from ``n_pos`` positives, ``n_neg`` negatives."""
    if not n_pos or not n_neg:
        return float("nan")
    q1, q2 = value / (2 - value), 2 * value**2 / (1 + value)
    variance = (
        value * (1 - value) + (n_pos - 1) * (q1 - value**2) + (n_neg - 1) * (q2 - value**2)
    ) / (n_pos * n_neg)
    return math.sqrt(max(variance, 0.0))


def differs(first: float, first_error: float, second: float, second_error: float) -> bool:
    """Whether two measurements differ by more than two standard errors of the difference."""
    return abs(first - second) > 2 * math.hypot(first_error, second_error)


def power_line(original: dict[str, float], retrain: dict[str, float], tpr_key: str) -> str:
    """One line: Original's and Retrain's AUC and TPR (with errors), and :data:`NO_POWER`
    when neither differs. Each dict has ``auc``, ``tpr_key``, ``n_members``, ``n_non_members``."""
    parts, distinct = [], False
    for key in ("auc", tpr_key):
        values = []
        for result in (original, retrain):
            n_pos, n_neg = int(result["n_members"]), int(result["n_non_members"])
            error = (
                auc_error(result[key], n_pos, n_neg)
                if key == "auc"
                else rate_error(result[key], n_pos)
            )
            values.append((result[key], error))
        distinct |= differs(*values[0], *values[1])
        parts.append(
            f"{key}: Original {values[0][0]:.3f} ± {values[0][1]:.3f}, "
            f"Retrain {values[1][0]:.3f} ± {values[1][1]:.3f}"
        )
    return "; ".join(parts) + ("" if distinct else f" — {NO_POWER}")
