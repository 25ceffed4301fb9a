"""A results page (``docs/results/*.md``) from the seeds benchmark, never written by hand.

Inputs, all catalog datasets: ``bmk_seeds_raw`` (one row per seed, backbone, model and
metric, written by ``benchmarks/seeds.py``), ``bmk_seeds_machine`` (one row: the
benchmark's command, environment, device, threads, date, commit and load average) and
``paper_values`` (``docs/paper_values.csv``: each number a seed paper reports, with its
table or figure and the criterion by which ours reproduces it).

Criteria, stated on the page:

- ``within_ci``: the paper's value lies within our mean ± 95 % CI over seeds (same
  dataset and protocol);
- ``rank``: the method holds the same rank by this metric among the methods both the
  paper and we report (the nearest protocol on another dataset, where absolute values
  cannot be compared).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from recunlearn.report.headline import backbone_label, method_label
from recunlearn.report.intervals import half_width

SHOWN_METRICS = ("auc_0", "auc_1", "auc_2", "speedup")
MACHINE_FIELDS = ("protocol", "command", "device", "threads", "date", "commit", "load_average")
CRITERIA = {
    "within_ci": "the paper's value lies within our mean ± 95 % CI over seeds",
    "rank": "the method's rank by this metric among the methods both report is the paper's",
}


def seed_summary(raw: pd.DataFrame) -> pd.DataFrame:
    """Mean, 95 % CI half-width (Student's t) and seed count per (backbone, model, metric)."""
    grouped = raw.groupby(["backbone", "model", "metric"], sort=False)["value"]
    summary = grouped.agg(["mean", "std", "count"]).reset_index()
    summary["half"] = [
        half_width(std, int(count))
        for std, count in zip(summary["std"], summary["count"], strict=True)
    ]
    return summary


def interval_text(mean: float, half: float, count: int) -> str:
    """``0.7700 ± 0.0012 (5 seeds)``; a single seed has no interval."""
    if math.isnan(half):
        return f"{mean:.4f} (1 seed, no interval)"
    return f"{mean:.4f} ± {half:.4f} ({count} seeds)"


def _ranks(values: Mapping[str, float]) -> dict[str, int]:
    order = sorted(values, key=lambda model: -values[model])
    return {model: order.index(model) + 1 for model in values}


def reproduces(row: pd.Series, ours: pd.Series, ranks: tuple[int, int]) -> str:
    """The "reproduces?" cell of one paper value under its criterion (``ranks``: ours and
    the paper's among the methods both report)."""
    if row["criterion"] == "within_ci":
        if math.isnan(ours["half"]):
            return "n/a: one seed"
        hit = abs(row["value"] - ours["mean"]) <= ours["half"]
        return "yes" if hit else f"no ({ours['mean'] - row['value']:+.4f})"
    ours_rank, paper_rank = ranks
    if ours_rank == paper_rank:
        return f"yes (rank {ours_rank})"
    return f"no (ours {ours_rank}, paper {paper_rank})"


def comparison(summary: pd.DataFrame, paper: pd.DataFrame) -> pd.DataFrame:
    """Each paper value beside our mean ± CI and its "reproduces?" cell."""
    keyed = summary.set_index(["backbone", "model", "metric"])
    rows = []
    for (backbone, metric, source), group in paper.groupby(
        ["backbone", "metric", "source"], sort=False
    ):
        both = [m for m in group["model"] if (backbone, m, metric) in keyed.index]
        ours_rank = _ranks({m: keyed.loc[(backbone, m, metric), "mean"] for m in both})
        paper_values = dict(zip(group["model"], group["value"], strict=True))
        paper_rank = _ranks({m: v for m, v in paper_values.items() if m in both})
        for _, row in group.iterrows():
            if row["model"] not in both:
                continue
            ours = keyed.loc[(backbone, row["model"], metric)]
            ranks = (ours_rank[row["model"]], paper_rank[row["model"]])
            cell = reproduces(row, ours, ranks)
            rows.append(_comparison_row(backbone, metric, source, row, ours, cell))
    return pd.DataFrame(rows)


def _comparison_row(
    backbone: str, metric: str, source: str, row: pd.Series, ours: pd.Series, cell: str
) -> dict[str, str]:
    return {
        "backbone": backbone_label(backbone),
        "method": method_label(row["model"]),
        "metric": metric.upper(),
        "ours (mean ± 95 % CI)": interval_text(ours["mean"], ours["half"], int(ours["count"])),
        "paper": f"{row['value']:.4f}",
        "paper's source": f"{source} ({row['dataset']})",
        "reproduces?": cell,
        "criterion": row["criterion"],
    }


def _metric_table(summary: pd.DataFrame, backbone: str) -> str:
    mine = summary[(summary["backbone"] == backbone) & summary["metric"].isin(SHOWN_METRICS)]
    cells = {
        (model, metric): interval_text(mean, half, int(count))
        for model, metric, mean, half, count in zip(
            mine["model"], mine["metric"], mine["mean"], mine["half"], mine["count"], strict=True
        )
    }
    models = list(dict.fromkeys(mine["model"]))
    metrics = [m for m in SHOWN_METRICS if m in set(mine["metric"])]
    table = pd.DataFrame(
        [[method_label(m)] + [cells.get((m, k), "") for k in metrics] for m in models],
        columns=["method", *(k.upper() if k != "speedup" else "speed-up" for k in metrics)],
    )
    return table.to_markdown(index=False, disable_numparse=True)


def seeds_page(raw: pd.DataFrame, machine: Mapping[str, Any], paper: pd.DataFrame) -> str:
    """The markdown page of one seeds benchmark, with the paper's values beside ours."""
    summary = seed_summary(raw)
    lines = [f"# Results: {machine['protocol']} protocol, seeds benchmark", ""]
    lines += [
        "Generated by `kedro run --pipelines=results` from the catalog's `bmk_seeds_raw` "
        "and `bmk_seeds_machine`; never edited by hand.",
        "",
        "| | |",
        "| --- | --- |",
    ]
    lines += [f"| {field.replace('_', ' ')} | {machine[field]} |" for field in MACHINE_FIELDS]
    lines += [f"| seeds | {', '.join(str(s) for s in sorted(set(raw['seed'])))} |", ""]
    for backbone in dict.fromkeys(summary["backbone"]):
        lines += [f"## {backbone_label(backbone)}", "", _metric_table(summary, backbone), ""]
    table = comparison(summary, paper) if not paper.empty else pd.DataFrame()
    lines += ["## Paper beside ours", ""]
    if table.empty:
        lines += ["No seed paper reports a number for this protocol's experiment.", ""]
    else:
        lines += [table.to_markdown(index=False, disable_numparse=True), ""]
        lines += [f"- `{name}`: {text}." for name, text in CRITERIA.items()] + [""]
    return "\n".join(lines)
