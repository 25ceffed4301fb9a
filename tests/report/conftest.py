"""Synthetic report inputs: metric tables and model logs of two backbones, built here."""

from __future__ import annotations

import pandas as pd
import pytest

from recunlearn.report.provenance import runs_table
from recunlearn.report.tables import tidy_metrics, with_speedup

RUN = "2026-11-20T10.00.00.000Z"
OLDER_RUN = "2026-11-19T09.00.00.000Z"
FAMILIES = {
    "retrain": "ground truth",
    "retrain_star": "ground truth",
    "ifru": "influence",
    "warm_start": "fine-tuning",
    "alteraser_ah": "fine-tuning",
    "laser": "exact",
}


def metrics(auc_0: float, seconds: float, pred: float) -> dict[str, float]:
    return {
        "auc_0": auc_0,
        "auc_1": auc_0 - 0.01,
        "auc_2": auc_0 - 0.02,
        "rbo@10": 0.5,
        "repredict": 0.4,
        "seconds": seconds,
        "pred_completeness_auc_1": pred,
        "pred_completeness_forget": pred,
        "pred_distance_auc_1": (1 - pred) * 0.1,
        "pred_distance_forget": (1 - pred) * 0.1,
        "pred_gap_auc_1": 0.1,
        "pred_gap_forget": 0.1,
    }


# Deliberately not in family order: the report must order the rows itself.
MODELS = {
    "laser": metrics(0.7705, 2.0, 0.9),
    "ifru": metrics(0.7690, 0.5, 0.6),
    "original": metrics(0.7600, 10.0, 0.0),
    "alteraser_ah": metrics(0.7000, 0.2, -28.9),
    "retrain_star": metrics(0.7715, 9.0, 0.8),
    "retrain": metrics(0.7700, 8.0, 1.0),
    "warm_start": metrics(0.7675, 4.0, 0.3),
}


def logs(backbone: str, stale: tuple[str, ...] = ()) -> dict[str, dict]:
    out = {}
    for model in MODELS:
        log = {"seconds": MODELS[model]["seconds"], "device": "cpu", "threads": 1}
        log["run_id"] = OLDER_RUN if model in stale else RUN
        if model != "original":
            log |= {"family": FAMILIES[model], "method": model, "backbone": backbone}
        if model == "laser":
            log["prepare_seconds"] = 30.0
        out[model] = log
    return out


@pytest.fixture
def report_inputs() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(tidy metrics with speed-ups, runs table) of MF and LightGCN; LightGCN's
    Warm-Start log comes from an older run."""
    tidy = pd.concat(
        [with_speedup(tidy_metrics(MODELS, b)) for b in ("mf", "lightgcn")], ignore_index=True
    )
    runs = pd.concat(
        [runs_table(logs("mf"), "mf"), runs_table(logs("lightgcn", ("warm_start",)), "lightgcn")],
        ignore_index=True,
    )
    return tidy, runs
