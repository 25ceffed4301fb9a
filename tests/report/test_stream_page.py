"""The stream's results page from hand-made tables: machine, amortised table, when
retraining wins, drift and attack AUC per checkpoint."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recunlearn.report.stream_page import stream_page

MACHINE = {
    "run_id": "2026-12-06T03.00.00.000Z",
    "dataset": "ml-100k",
    "device": "cpu (2 cores)",
    "threads": 1,
    "executor": "inprocess (1 workers)",
    "date": "2026-12-06 03:20 UTC",
    "commit": "abc1234",
    "load_average": "1.00 / 1.00 / 1.00 at the start, 2.00 / 1.50 / 1.20 at the end",
    "stream_seconds": 123.4,
}


def metrics(backbone: str, attack: bool) -> pd.DataFrame:
    rows = [
        ("ifru", 2, 0.1, 0.70),
        ("ifru", 4, 0.5, 0.72),
        ("warm_start", 2, 0.05, 0.60),
        ("warm_start", 4, 0.1, 0.61),
        ("sisa", 2, 0.9, 0.55),
        ("sisa", 4, 0.9, 0.56),
        ("original", 2, 0.3, 0.80),
        ("original", 4, 0.4, 0.81),
        ("retrain", 2, 0.0, 0.51),
        ("retrain", 4, 0.0, 0.52),
        ("retrain_star", 4, 0.002, 0.50),
    ]
    frame = pd.DataFrame(rows, columns=["method", "requests_done", "pred_distance_forget", "auc"])
    frame = frame.rename(columns={"auc": "population_auc"}).assign(backbone=backbone)
    return frame if attack else frame.drop(columns="population_auc")


def amortised(backbone: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "backbone": backbone,
            "method": ["ifru", "warm_start", "sisa"],
            "stream_seconds": [2.0, 4.0, 8.0],
            "k_retrain_seconds": [16.0] * 3,
            "amortised_speedup": [8.0, 4.0, 2.0],
            "retrain_now_at": [2.0, 2.0, np.nan],
            "worse_than_original_at": [4.0, np.nan, np.nan],
            "drift_metric": "pred_distance_forget",
        }
    )


def page() -> str:
    tables = [("mf", metrics("mf", True), amortised("mf"))]
    tables.append(("lightgcn", metrics("lightgcn", False), amortised("lightgcn")))
    return stream_page(tables, MACHINE, "ml-100k, K = 4")


def test_the_page_states_its_machine_and_protocol_then_one_section_per_backbone():
    text = page()
    assert text.startswith("# Results: deletion requests as a stream")
    assert "| commit | abc1234 |" in text and "| stream seconds | 123.4 |" in text
    assert "| load average | 1.00 / 1.00 / 1.00 at the start" in text
    assert "Protocol: ml-100k, K = 4." in text
    assert text.index("## MF") < text.index("## LightGCN")


def section(backbone: str) -> str:
    text = page()
    return text.split(f"## {backbone}")[1].split("## ")[0]


def rows(text: str, label: str) -> list[list[str]]:
    """The cells of every markdown table row of ``text`` whose first cell is ``label``."""
    cells = [[c.strip() for c in line.strip("|").split("|")] for line in text.splitlines()]
    return [row for row in cells if row[0] == label]


def test_the_amortised_table_prints_never_where_a_point_is_not_reached():
    mf = section("MF")
    assert rows(mf, "IFRU")[0] == ["IFRU", "2", "16", "8", "2", "4"]
    assert rows(mf, "SISA")[0][-2:] == ["never", "never"]


def test_each_approximate_method_gets_its_verdict_and_exact_methods_none():
    mf = section("MF")
    assert (
        "- **IFRU**: beyond Retrain*'s noise from request 2; no closer to Retrain than "
        "Original from request 4: retrain then." in mf
    )
    assert (
        "- **Warm-Start**: beyond Retrain*'s noise from request 2; closer to Retrain than "
        "Original through all 4 requests." in mf
    )
    assert "**SISA**" not in mf


def test_drift_and_attack_auc_per_checkpoint_and_a_sentence_where_no_attack_ran():
    mf, lightgcn = section("MF"), section("LightGCN")
    drift, attack = mf.split("Population attack AUC")
    assert rows(drift, "IFRU")[1] == ["IFRU", "0.1", "0.5"]
    assert rows(drift, "Retrain*")[0] == ["Retrain*", "–", "0.002"]
    assert rows(attack, "Retrain") == [["Retrain", "0.51", "0.52"]]
    assert rows(attack, "Original") == [["Original", "0.8", "0.81"]]
    assert "No population attack at the checkpoints" in lightgcn
    assert "Population attack AUC" not in lightgcn
