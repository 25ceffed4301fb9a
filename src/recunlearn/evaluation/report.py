"""Tidy metric tables, completeness coefficients and a markdown summary."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from recunlearn.evaluation.completeness import completeness

COMPLETENESS_METRICS = ("auc_0", "auc_1", "auc_2")


def tidy_metrics(metrics: Mapping[str, Mapping[str, float]], backbone: str) -> pd.DataFrame:
    """Long table (backbone, model, metric, value) from {model: {metric: value}}."""
    rows = [
        {"backbone": backbone, "model": model, "metric": metric, "value": float(value)}
        for model, values in metrics.items()
        for metric, value in values.items()
    ]
    return pd.DataFrame(rows, columns=["backbone", "model", "metric", "value"])


def with_speedup(tidy: pd.DataFrame) -> pd.DataFrame:
    """Add ``speedup`` rows: Retrain's seconds / each model's seconds, per backbone.

    Both times come from the same run, so the ratio is comparable across machines
    where a lone absolute time is not.
    """
    seconds = tidy[tidy["metric"] == "seconds"]
    rows = []
    for backbone, group in seconds.groupby("backbone"):
        values = group.set_index("model")["value"]
        if "retrain" not in values.index:
            continue
        for model, value in values.items():
            ratio = values["retrain"] / value if value > 0 else float("nan")
            rows.append({"backbone": backbone, "model": model, "metric": "speedup", "value": ratio})
    return pd.concat([tidy, pd.DataFrame(rows, columns=tidy.columns)], ignore_index=True)


def completeness_table(tidy: pd.DataFrame) -> pd.DataFrame:
    """Completeness of every model against Original/Retrain, with the gap it divides by."""
    rows = []
    for (backbone, metric), group in tidy.groupby(["backbone", "metric"], sort=True):
        if metric not in COMPLETENESS_METRICS:
            continue
        values = group.set_index("model")["value"]
        if not {"original", "retrain"} <= set(values.index):
            continue
        original, retrain = values["original"], values["retrain"]
        for model, value in values.items():
            rows.append(
                {
                    "backbone": backbone,
                    "model": model,
                    "metric": metric,
                    "gap": retrain - original,
                    "completeness": completeness(value, original, retrain),
                }
            )
    return pd.DataFrame(rows, columns=["backbone", "model", "metric", "gap", "completeness"])


def markdown_report(tidy: pd.DataFrame, completeness_rows: pd.DataFrame) -> str:
    """A markdown page: one metric table per backbone, then the completeness table."""
    lines = ["# Unlearning report", ""]
    for backbone, group in tidy.groupby("backbone", sort=True):
        wide = group.pivot(index="model", columns="metric", values="value")
        lines += [f"## {backbone}", "", wide.to_markdown(floatfmt=".4f"), ""]
    selected = tidy[tidy["metric"] == "selected_on_validation"]
    if not selected.empty:
        names = ", ".join(sorted(set(selected["backbone"] + "." + selected["model"])))
        lines += [f"**Selected on validation data** (not a pure unlearning result): {names}.", ""]
    if not completeness_rows.empty:
        wide = completeness_rows.pivot_table(
            index=["backbone", "model"], columns="metric", values="completeness", dropna=False
        )
        lines += ["## Completeness coefficient (m - Original) / (Retrain - Original)", ""]
        lines += [wide.to_markdown(floatfmt=".3f"), ""]
    return "\n".join(lines)
