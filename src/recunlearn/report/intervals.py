"""95 % confidence intervals over seeds (Student's t), without SciPy: the report's
modules load with the pipelines, which must not import SciPy or torch."""

from __future__ import annotations

import math

import pandas as pd

T_975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228)
"""Student's t 97.5 % quantiles for 1-10 degrees of freedom (1.96 beyond)."""


def half_width(std: float, count: int) -> float:
    """The 95 % CI half-width of a mean of ``count`` seeds with standard deviation ``std``
    (NaN below two seeds)."""
    if count < 2 or math.isnan(std):
        return float("nan")
    t = T_975[count - 2] if count - 1 <= len(T_975) else 1.96
    return t * std / math.sqrt(count)


def seed_interval(
    spread: pd.DataFrame, backbone: str, model: str, metric: str
) -> tuple[float, float, int] | None:
    """(mean, 95 % CI half-width, seeds) of ``metric`` over seeds from ``bmk_seeds``."""
    if spread.empty or not {"backbone", "model", "metric", "mean", "std", "count"} <= set(spread):
        return None
    row = spread[
        (spread["backbone"] == backbone) & (spread["model"] == model) & (spread["metric"] == metric)
    ]
    if row.empty or int(row["count"].iloc[0]) < 2:
        return None
    count = int(row["count"].iloc[0])
    return float(row["mean"].iloc[0]), half_width(float(row["std"].iloc[0]), count), count
