"""Every completeness coefficient beside its gap and the measured seed-to-seed spread.

A coefficient divides by a gap: Retrain - Original for the AUC coefficient,
||p_O - p_R|| for the prediction-space one. When that gap is no larger than the
difference between two retrains that differ only in their seed, the coefficient
divides by noise. The spread is measured, never assumed:

- AUC metrics: the standard deviation of Retrain's metric over seeds when
  ``benchmarks/seeds.py`` has written it (``bmk_seeds``), otherwise
  |m_Retrain* - m_Retrain| of this run;
- prediction space: RMS(p_Retrain* - p_Retrain) of this run.
"""

from __future__ import annotations

import math

import pandas as pd

from recunlearn.evaluation.completeness import completeness
from recunlearn.evaluation.prediction_completeness import PREDICTION_SETS

AUC_COEFFICIENTS = ("auc_0", "auc_1", "auc_2")
COLUMNS = [
    "backbone",
    "model",
    "coefficient",
    "value",
    "gap",
    "noise",
    "noise_source",
    "exceeds_noise",
]
SEEDS_SOURCE = "std of Retrain over {count} seeds (bmk_seeds)"
STAR_SOURCE = "|Retrain* - Retrain| of this run"
PREDICTION_SOURCE = "RMS(p_Retrain* - p_Retrain) of this run"
NO_SOURCE = "not measured (no Retrain* and no bmk_seeds)"


def seed_spread_of(spread: pd.DataFrame, backbone: str, metric: str) -> tuple[float, str] | None:
    """Retrain's std of ``metric`` over seeds from a ``bmk_seeds`` table, if it has one."""
    if spread.empty or not {"backbone", "model", "metric", "std", "count"} <= set(spread):
        return None
    row = spread[
        (spread["backbone"] == backbone)
        & (spread["model"] == "retrain")
        & (spread["metric"] == metric)
    ]
    if row.empty or int(row["count"].iloc[0]) < 2 or math.isnan(float(row["std"].iloc[0])):
        return None
    return float(row["std"].iloc[0]), SEEDS_SOURCE.format(count=int(row["count"].iloc[0]))


def _exceeds(gap: float, noise: float) -> float:
    """1.0 / 0.0 whether |gap| > noise; NaN where either is unknown."""
    if math.isnan(gap) or math.isnan(noise):
        return float("nan")
    return float(abs(gap) > noise)


def _auc_rows(values: pd.Series, backbone: str, spread: pd.DataFrame) -> list[list]:
    rows = []
    for metric in AUC_COEFFICIENTS:
        original = values.get(("original", metric), float("nan"))
        retrain = values.get(("retrain", metric), float("nan"))
        star = values.get(("retrain_star", metric))
        measured = seed_spread_of(spread, backbone, metric)
        if measured is None and star is not None:
            measured = (abs(star - retrain), STAR_SOURCE)
        noise, source = measured or (float("nan"), NO_SOURCE)
        gap = retrain - original
        for model in values.index.get_level_values(0).unique():
            value = values.get((model, metric), float("nan"))
            coefficient = completeness(value, original, retrain)
            rows.append([backbone, model, metric, coefficient, gap, noise, source])
    return rows


def _prediction_rows(values: pd.Series, backbone: str) -> list[list]:
    rows = []
    for name in PREDICTION_SETS:
        gap = values.get(("retrain", f"pred_gap_{name}"), float("nan"))
        noise = values.get(("retrain_star", f"pred_distance_{name}"))
        source = PREDICTION_SOURCE if noise is not None else NO_SOURCE
        noise = float("nan") if noise is None else noise
        for model in values.index.get_level_values(0).unique():
            value = values.get((model, f"pred_completeness_{name}"), float("nan"))
            rows.append([backbone, model, f"pred_{name}", value, gap, noise, source])
    return rows


def coefficient_table(tidy: pd.DataFrame, spread: pd.DataFrame | None = None) -> pd.DataFrame:
    """AUC (``auc_0/1/2``) and prediction (``pred_auc_1``, ``pred_forget``) coefficients of
    every model, each with its gap, the seed noise it is compared with and its source.
    """
    spread = pd.DataFrame() if spread is None else spread
    rows = []
    for backbone, group in tidy.groupby("backbone", sort=False):
        values = group.set_index(["model", "metric"])["value"]
        if "retrain" not in values.index.get_level_values(0):
            continue
        rows += _auc_rows(values, backbone, spread) + _prediction_rows(values, backbone)
    table = pd.DataFrame(rows, columns=COLUMNS[:-1])
    table["exceeds_noise"] = [
        _exceeds(g, n) for g, n in zip(table["gap"], table["noise"], strict=True)
    ]
    return table
