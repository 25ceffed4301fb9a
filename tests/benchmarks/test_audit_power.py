"""benchmarks/audit_power.py's row: power from the audit tables, by hand."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from audit_power import protocol_row  # noqa: E402

AUDIT = pd.DataFrame(
    {"model": ["original", "retrain"], "population_auc": [0.52, 0.50], "n_members": [400, 400]}
)


def lira(original_tpr: float) -> pd.DataFrame:
    rows = [
        {
            "model": m,
            "score": s,
            "auc": 0.5,
            "tpr@0.01": t,
            "n_members": 1000,
            "n_non_members": 1000,
        }
        for m, t in (("original", original_tpr), ("retrain", 0.01))
        for s in ("tail", "ratio")
    ]
    return pd.DataFrame(rows)


def test_power_where_original_differs_from_retrain_beyond_two_errors():
    # AUC 0.52 vs 0.50 on 400 + 400 rows: errors ~0.020 each, the gap 0.02 < 2 x 0.029
    row = protocol_row("private", AUDIT, lira(0.06))
    assert not row["population_power"] and row["lira_power"]
    assert row["lira_original_tpr@0.01_se"] == pytest.approx((0.06 * 0.94 / 1000) ** 0.5)
    assert not protocol_row("private", AUDIT, lira(0.012))["lira_power"]
    assert protocol_row("x", AUDIT, pd.DataFrame())["lira_rows"] == 0
