"""The report's audit section: distances to Retrain by hand, LiRA's power line."""

from __future__ import annotations

import pandas as pd
import pytest

from recunlearn.audits.power import NO_POWER
from recunlearn.report.audit_table import audit_markdown, with_retrain_distance


def audit_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "backbone": "mf",
            "model": ["ifru", "retrain", "original"],
            "poison_agreement": [0.0, 0.25, 0.75],
            "n_members": [4, 4, 4],
        }
    )


def lira_table(original_auc: float, retrain_auc: float) -> pd.DataFrame:
    rows = []
    for model, value in (("original", original_auc), ("retrain", retrain_auc)):
        for score in ("tail", "ratio"):
            rows.append(
                {
                    "backbone": "mf",
                    "model": model,
                    "score": score,
                    "auc": value,
                    "tpr@0.01": 0.01,
                    "n_members": 2000,
                    "n_non_members": 2000,
                    "reference_seconds": 12.5,
                }
            )
    return pd.DataFrame(rows)


def test_distance_to_retrain_by_hand_original_and_retrain_first():
    shown = with_retrain_distance(audit_table())
    assert shown["model"].tolist() == ["original", "retrain", "ifru"]
    assert shown["poison_agreement vs Retrain"].tolist() == pytest.approx([0.5, 0.0, 0.25])
    assert "n_members" not in shown  # counts are not metrics


def test_lira_section_states_power_or_its_absence():
    strong = audit_markdown([audit_table()], [lira_table(0.73, 0.49)], "tail")
    assert "Audit power: auc: Original 0.730" in strong and NO_POWER not in strong
    assert "reference models trained in 12.5 s" in strong
    weak = audit_markdown([audit_table()], [lira_table(0.50, 0.50)], "tail")
    assert NO_POWER in weak
    assert "LiRA" not in audit_markdown([audit_table()], [pd.DataFrame()], "tail")
