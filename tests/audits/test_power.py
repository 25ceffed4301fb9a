"""Audit power: hand-worked standard errors and the no-power sentence."""

from __future__ import annotations

import math

import pytest

from recunlearn.audits.power import NO_POWER, auc_error, differs, power_line, rate_error


def test_errors_by_hand():
    assert rate_error(0.1, 100) == pytest.approx(0.03)
    # Hanley-McNeil at A = 0.5, 2 and 2: Q1 = Q2 = 1/3, var = (1/4 + 1/12 + 1/12) / 4 = 5/48
    assert auc_error(0.5, 2, 2) == pytest.approx(math.sqrt(5 / 48))


def result(auc: float, tpr: float, n: int = 1000) -> dict[str, float]:
    return {"auc": auc, "tpr@0.01": tpr, "n_members": n, "n_non_members": n}


def test_power_only_where_original_differs_from_retrain():
    assert NO_POWER in power_line(result(0.51, 0.012), result(0.50, 0.010), "tpr@0.01")
    line = power_line(result(0.73, 0.059), result(0.49, 0.018), "tpr@0.01")
    assert NO_POWER not in line and "Original 0.730" in line and "Retrain 0.490" in line
    assert NO_POWER not in power_line(result(0.50, 0.20), result(0.50, 0.01), "tpr@0.01")
    assert NO_POWER not in power_line(result(0.73, 0.01), result(0.49, 0.01), "tpr@0.01")


def test_differs_beyond_two_errors_of_the_difference():
    assert differs(0.0, 1.0, 2.9, 1.0)  # 2 * sqrt(2) = 2.83
    assert not differs(0.0, 1.0, 2.8, 1.0)
