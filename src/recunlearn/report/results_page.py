"""A results page (``docs/results/*.md``) from the seeds benchmark, never written by hand.

Inputs, all catalog datasets: ``bmk_seeds_raw`` (one row per seed, backbone, model and
metric, written by ``benchmarks/seeds.py``), ``bmk_seeds_machine`` (one row: the
benchmark's command, environment, device, threads, date, commit and load average) and
``paper_values`` (``docs/paper_values.csv``: each number a seed paper reports, with its
table or figure and the criterion by which ours reproduces it).

Criteria, stated on the page:

- ``within_ci``: the paper's value lies within our mean ± 95 % CI over seeds (same
  dataset and protocol);
- ``rank``: the paper's rank of the method by this metric, among the methods both the
  paper and we report, is one our seeds allow (the nearest protocol on another dataset,
  where absolute values cannot be compared). Two methods are ordered only where the 95 %
  CI of their paired per-seed differences excludes 0 (every seed re-splits and re-draws
  the request, so seeds move all methods together: comparing unpaired intervals would
  drown method differences in split noise), so a method's rank is a range. Without ties,
  a method indistinguishable from its neighbour (AltEraser's AH- and HF-Newton on ENMF,
  which share their solver there) would "fail" on the toss of the last digit.
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
    "rank": (
        "the paper's rank of the method, among the methods both report, is one of ours, "
        "where two methods are ordered only if the 95 % CI of their paired per-seed "
        "differences excludes 0 (ours: the range of ranks this allows); n/s: no other "
        "method is ordered against it, so our seeds cannot rank it"
    ),
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


def above(first: pd.Series, second: pd.Series) -> bool:
    """Whether ``first`` beats ``second`` beyond seed noise: the 95 % CI of their paired
    per-seed differences (same split and request per seed) lies above 0; one seed: the
    difference itself."""
    diff = (first - second).dropna()
    half = half_width(float(diff.std()), len(diff))
    return bool(diff.mean() - (0.0 if math.isnan(half) else half) > 0)


def rank_ranges(per_seed: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """Per model (a column of ``per_seed``, one row per seed), the (best, worst) rank by
    this metric that the seeds allow: only models that beat it beyond noise rank before
    it, only models it beats rank after it (:func:`above`)."""
    models = list(per_seed.columns)
    out = {}
    for model in models:
        others = [o for o in models if o != model]
        before = sum(above(per_seed[o], per_seed[model]) for o in others)
        after = sum(above(per_seed[model], per_seed[o]) for o in others)
        out[model] = (before + 1, len(models) - after)
    return out


def _rank_text(ours: tuple[int, int]) -> str:
    return str(ours[0]) if ours[0] == ours[1] else f"{ours[0]}-{ours[1]}"


def reproduces(
    row: pd.Series, ours: pd.Series, ranks: tuple[tuple[tuple[int, int], int], int]
) -> str:
    """The "reproduces?" cell of one paper value under its criterion (``ranks``: (our rank
    range, the number of methods both report) and the paper's rank among them). "n/s":
    no other method is ordered against it, so our seeds cannot rank it at all."""
    if row["criterion"] == "within_ci":
        if math.isnan(ours["half"]):
            return "n/a: one seed"
        hit = abs(row["value"] - ours["mean"]) <= ours["half"]
        return "yes" if hit else f"no ({ours['mean'] - row['value']:+.4f})"
    (ours_range, n_methods), paper_rank = ranks
    if ours_range == (paper_rank, paper_rank):
        return f"yes (rank {paper_rank})"
    if n_methods > 1 and ours_range == (1, n_methods):
        return f"n/s (ours {_rank_text(ours_range)}, paper {paper_rank})"
    verdict = "yes" if ours_range[0] <= paper_rank <= ours_range[1] else "no"
    return f"{verdict} (ours {_rank_text(ours_range)}, paper {paper_rank})"


def comparison(summary: pd.DataFrame, paper: pd.DataFrame, raw: pd.DataFrame) -> pd.DataFrame:
    """Each paper value beside our mean ± CI and its "reproduces?" cell (ranks from the
    per-seed values ``raw``)."""
    keyed = summary.set_index(["backbone", "model", "metric"])
    seeds = raw.pivot_table(index=["backbone", "metric", "seed"], columns="model", values="value")
    rows = []
    for (backbone, metric, source), group in paper.groupby(
        ["backbone", "metric", "source"], sort=False
    ):
        both = [m for m in group["model"] if (backbone, m, metric) in keyed.index]
        ours_rank = rank_ranges(seeds.loc[(backbone, metric), both]) if both else {}
        paper_values = dict(zip(group["model"], group["value"], strict=True))
        paper_rank = _ranks({m: v for m, v in paper_values.items() if m in both})
        for _, row in group.iterrows():
            if row["model"] not in both:
                continue
            ours = keyed.loc[(backbone, row["model"], metric)]
            ranks = ((ours_rank[row["model"]], len(both)), paper_rank[row["model"]])
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
    table = comparison(summary, paper, raw) if not paper.empty else pd.DataFrame()
    lines += ["## Paper beside ours", ""]
    if table.empty:
        lines += ["No seed paper reports a number for this protocol's experiment.", ""]
    else:
        lines += [table.to_markdown(index=False, disable_numparse=True), ""]
        lines += [f"- `{name}`: {text}." for name, text in CRITERIA.items()] + [""]
    return "\n".join(lines)
