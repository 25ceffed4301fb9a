"""Tidy metric tables, completeness coefficients and a markdown summary."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping

import pandas as pd

from recunlearn.evaluation.completeness import GAP_TOLERANCE, completeness

logger = logging.getLogger(__name__)

COMPLETENESS_METRICS = ("auc_0", "auc_1", "auc_2")
TABLE2_MODELS = ("original", "retrain", "sisa", "receraser", "scif", "ifru")
"""The models of the IFRU paper's Table 2, in its column order."""
LOGGED_COSTS = (
    "prepare_seconds",
    "shards_retrained",
    "groups_retrained",
    "stages_retrained",
    "aggregator_seconds",
)
"""What exact methods log about their cost beside ``seconds`` (copied into the metrics)."""
TIME_METRICS = ("seconds", "speedup", *LOGGED_COSTS)


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


def auc_table(tidy: pd.DataFrame) -> str | None:
    """IFRU Table 2's analogue: AUC_0/1/2 of Original, Retrain, SISA, RecEraser, SCIF, IFRU."""
    rows = tidy[tidy["metric"].isin(COMPLETENESS_METRICS) & tidy["model"].isin(TABLE2_MODELS)]
    if rows.empty:
        return None
    wide = rows.pivot_table(index="metric", columns=["backbone", "model"], values="value")
    order = sorted(wide.columns, key=lambda c: (c[0], TABLE2_MODELS.index(c[1])))
    wide = wide[order]
    wide.columns = [f"{backbone} {model}" for backbone, model in wide.columns]
    return wide.to_markdown(floatfmt=".4f")


def fairness_k(tidy: pd.DataFrame) -> int | None:
    """The cut-off of the fairness columns: 20 (CURE4Rec's) when evaluated, else the largest."""
    names = tidy.loc[tidy["metric"].str.startswith("active_ndcg@"), "metric"]
    ks = sorted({int(name.split("@")[1]) for name in names})
    return None if not ks else 20 if 20 in ks else ks[-1]


def time_and_fairness_table(tidy: pd.DataFrame) -> str:
    """IFRU Table 3's analogue on this request: every method's unlearning time, the shards
    it retrained, and NDCG@K of active vs inactive users (CURE4Rec's fairness view)."""
    k = fairness_k(tidy)
    fairness = () if k is None else (f"active_ndcg@{k}", f"inactive_ndcg@{k}")
    rows = tidy[tidy["metric"].isin((*TIME_METRICS, *fairness))]
    wide = rows.pivot_table(index=["backbone", "model"], columns="metric", values="value")
    columns = [c for c in (*TIME_METRICS, *fairness) if c in wide.columns]
    wide = wide[columns]
    wide.index = [f"{backbone} {model}" for backbone, model in wide.index]
    return wide.to_markdown(floatfmt=".4g")


def report_notes(tidy: pd.DataFrame, completeness_rows: pd.DataFrame) -> list[str]:
    """Why some figures are NaN, one note each, also logged as warnings.

    An AUC variant whose test subset has no rows or a single class (e.g. AUC_2 when
    no test row has both its user and its item in V(D_r)), and a completeness
    coefficient whose gap m_Retrain - m_Original vanishes.
    """
    notes = []
    aucs = tidy[tidy["metric"].isin(COMPLETENESS_METRICS)]
    for (backbone, metric), group in aucs.groupby(["backbone", "metric"], sort=True):
        missing = sorted(group.loc[group["value"].isna(), "model"])
        if missing:
            who = "every model" if len(missing) == len(group) else ", ".join(missing)
            notes.append(
                f"{backbone}: {metric.upper()} is NaN for {who}: its test subset has no rows "
                "or a single class (the log says which), so its completeness is undefined."
            )
    gaps = completeness_rows.groupby(["backbone", "metric"], sort=True)["gap"].first()
    for (backbone, metric), gap in gaps.items():
        if not math.isnan(gap) and abs(gap) < GAP_TOLERANCE:
            notes.append(
                f"{backbone}: completeness on {metric.upper()} is undefined: Retrain and "
                f"Original differ by {gap:.2g}, below {GAP_TOLERANCE:g}."
            )
    for note in notes:
        logger.warning(note)
    return notes


def backbone_metrics_markdown(tidy: pd.DataFrame, backbone: str) -> str:
    """Every metric of one backbone's models (metrics as rows, models as columns)."""
    group = tidy[tidy["backbone"] == backbone]
    return group.pivot(index="metric", columns="model", values="value").to_markdown(floatfmt=".4f")


def markdown_report(
    tidy: pd.DataFrame, completeness_rows: pd.DataFrame, per_backbone: bool = True
) -> str:
    """A markdown page: one metric table per backbone (unless the caller places them in
    its own backbone sections: ``per_backbone=False``), the completeness table, notes."""
    lines = ["# Unlearning report", ""]
    for backbone in sorted(set(tidy["backbone"])) if per_backbone else []:
        lines += [f"## {backbone}", "", backbone_metrics_markdown(tidy, backbone), ""]
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
    table2 = auc_table(tidy)
    if table2 is not None:
        lines += ["## AUC of exact and influence methods (IFRU Table 2)", "", table2, ""]
    lines += [
        "## Unlearning time and fairness (IFRU Table 3; active = top 5 % users by rows)",
        "",
        time_and_fairness_table(tidy),
        "",
    ]
    notes = report_notes(tidy, completeness_rows)
    if notes:
        lines += ["## Notes", "", *(f"- {note}" for note in notes), ""]
    return "\n".join(lines)
