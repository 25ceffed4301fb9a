"""The cost page's four measurements, each against its target (:mod:`cost_targets`).

Each function takes one benchmark's table as the catalog loads it and returns the table
the page prints and one :class:`Check` per target: the target in words, the measured
value and the computed verdict. Inputs:

- ``bmk_influence_update`` (``benchmarks/influence_update.py``): per backbone, seed and
  CG tolerance, IFRU's request in training epochs of the backbone (wall, CPU), CG's
  products, completeness and speed-up over Retrain;
- ``bmk_unlearning_speedup`` (``benchmarks/unlearning_speedup.py``): per size, request
  kind and tolerance, IFRU's speed-up over Retrain (wall, CPU) and products;
- ``bmk_exact_single_user`` (``benchmarks/exact.py``): per exact method, executor and
  device, the single-user speed-up over Retrain (wall, CPU);
- ``bmk_mf_step_speed`` (``benchmarks/mf_step_speed.py``): per repeat and path, an MF
  epoch's seconds, its ratio to the dense-Adam memory floor and bitwise equality;
- ``bmk_recbole_bpr`` (``benchmarks/recbole_bpr.py``): per round and side (the project's
  MF, RecBole's BPR), rows per epoch, seconds per epoch and the project's lead per row.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from recunlearn.report.cost_targets import CostTargets, verdict


@dataclass(frozen=True)
class Check:
    """One target beside its measured value; ``verdict`` is computed, never typed."""

    target: str
    measured: str
    verdict: str


def _x(value: float) -> str:
    return f"{value:.1f}x"


def ifru_update(table: pd.DataFrame, targets: CostTargets) -> tuple[pd.DataFrame, list[Check]]:
    """Per tolerance over MF's seeds: update epochs (CPU mean and range, wall mean),
    products, completeness, speed-up; one check per tolerance (its completeness beside
    it): met where the CPU mean over at least the target's seeds is in bound."""
    mf = table[table["backbone"] == "mf"] if "backbone" in table.columns else table
    per_tol = mf.groupby("tol", sort=True, as_index=False).agg(
        seeds=("seed", "nunique"),
        epochs_cpu=("update_epochs_cpu", "mean"),
        cpu_min=("update_epochs_cpu", "min"),
        cpu_max=("update_epochs_cpu", "max"),
        epochs_wall=("update_epochs", "mean"),
        products=("hvp_count", "mean"),
        completeness_auc_0=("completeness_auc_0", "mean"),
        speedup=("speedup", "mean"),
    )
    bound, seeds = targets.ifru_update_epochs, targets.ifru_seeds
    checks = []
    for _, row in per_tol.iterrows():
        target = f"IFRU's MF update (tol {row['tol']:g}) ≤ {bound:g} MF epochs, {seeds} seeds"
        if row["seeds"] < seeds:
            checks.append(Check(target, f"{int(row['seeds'])} seeds only", "not judged"))
            continue
        measured = (
            f"{row['epochs_cpu']:.2f} epochs (completeness AUC_0 {row['completeness_auc_0']:.3f})"
        )
        checks.append(Check(target, measured, verdict(row["epochs_cpu"], bound, at_most=True)))
    return per_tol, checks


def rows_text(rows: float) -> str:
    """``10^6`` for a power of ten, else the count with thousands separators."""
    power = math.log10(rows)
    return f"10^{int(power)}" if power.is_integer() else f"{rows:,.0f}"


def fixed_request(table: pd.DataFrame, targets: CostTargets) -> tuple[pd.DataFrame, list[Check]]:
    """The fixed request on the CPU per tolerance and size; per tolerance, met where the
    CPU speed-up grows from the smaller to the larger target size and reaches the bound
    at the larger."""
    fixed = table[(table["request"] == "fixed") & (table["device"] == "cpu")].copy()
    fixed["rows"] = pd.to_numeric(fixed["size"], errors="coerce")  # ml-100k: no row count
    small, large = targets.fixed_request_rows
    checks = []
    for tol, rows in fixed.groupby("ifru_tol", sort=True):
        at = dict(zip(rows["rows"], rows["speedup_cpu"], strict=True))
        target = (
            f"fixed request (tol {tol:g}): speed-up grows from {rows_text(small)} to "
            f"{rows_text(large)} rows, ≥ {targets.fixed_request_speedup:g}x at {rows_text(large)}"
        )
        if small not in at or large not in at:
            missing = f"sizes {rows_text(small)} and {rows_text(large)} not both run"
            checks.append(Check(target, missing, "not judged"))
            continue
        met = at[large] > at[small] and at[large] >= targets.fixed_request_speedup
        measured = f"{_x(at[small])} at {rows_text(small)}, {_x(at[large])} at {rows_text(large)}"
        checks.append(Check(target, measured, "met" if met else "not met"))
    return fixed.sort_values(["ifru_tol", "rows"]), checks


RECERASER_TARGETS = {
    "receraser_ubp": "receraser_ubp_speedup",
    "receraser": "receraser_inbp_speedup",
}
EXACT_LABELS = {
    "receraser_ubp": "RecEraser UBP",
    "receraser": "RecEraser InBP",
    "sisa": "SISA",
    "sisa_r5": "SISA, R = 5 slices",
}
"""``benchmarks/exact.py``'s variants by name (its ``VARIANTS``)."""


def exact_single_user(
    table: pd.DataFrame, targets: CostTargets
) -> tuple[pd.DataFrame, list[Check]]:
    """Every exact method in-process on the CPU; RecEraser's two partitions against
    their bounds (CPU speed-up over Retrain)."""
    mine = table[(table["executor"] == "inprocess") & (table["device"] == "cpu")]
    mine = mine[mine["method"] != "retrain"]
    mine = mine.assign(label=mine["method"].map(lambda m: EXACT_LABELS.get(m, m)))
    checks = []
    for method, field in RECERASER_TARGETS.items():
        bound = getattr(targets, field)
        target = f"{EXACT_LABELS[method]} single-user speed-up ≥ {bound:g}x Retrain"
        row = mine[mine["method"] == method]
        if row.empty:
            checks.append(Check(target, "not run", "not judged"))
            continue
        value = float(row["cpu_speedup_vs_retrain"].iloc[0])
        checks.append(Check(target, _x(value), verdict(value, bound, at_most=False)))
    return mine, checks


def mf_epoch(table: pd.DataFrame, targets: CostTargets) -> tuple[pd.DataFrame, list[Check]]:
    """Per path, the median epoch over repeats (wall, CPU) and its ratio to the floor;
    the closed-form path (the one training uses) against the bound."""
    table = table.assign(cpu_ratio=table["cpu_seconds_per_epoch"] / table["floor_seconds"])
    per_path = table.groupby("path", sort=False, as_index=False).agg(
        seconds_per_epoch=("seconds_per_epoch", "median"),
        cpu_seconds_per_epoch=("cpu_seconds_per_epoch", "median"),
        floor_seconds=("floor_seconds", "median"),
        ratio_wall=("ratio_to_floor", "median"),
        ratio_cpu=("cpu_ratio", "median"),
        bitwise_equal=("parameters_bitwise_equal", "all"),
    )
    bound = targets.mf_floor_ratio
    target = f"MF epoch ≤ {bound:g}x the dense-Adam memory floor"
    closed = per_path[per_path["path"] == "closed_form"]
    if closed.empty:
        return per_path, [Check(target, "closed-form path not run", "not judged")]
    ratio = float(closed["ratio_cpu"].iloc[0])
    return per_path, [Check(target, _x(ratio), verdict(ratio, bound, at_most=True))]


def recbole_lead(table: pd.DataFrame, targets: CostTargets) -> tuple[pd.DataFrame, list[Check]]:
    """Per side, its rows and the median over rounds of seconds per epoch and rows per
    second; the lead (RecBole's seconds per row over the project's, median over rounds,
    wall time: RecBole runs in its own interpreter) against the bound."""
    per_side = table.groupby("side", sort=False, as_index=False).agg(
        rows_per_epoch=("rows_per_epoch", "first"),
        seconds_per_epoch=("seconds_per_epoch", "median"),
        rows_per_second=("rows_per_second", "median"),
    )
    lead = float(table.groupby("repeat")["lead"].first().median())
    bound = targets.recbole_lead
    target = f"MF epoch ≥ {bound:g}x faster per row than RecBole's BPR (wall)"
    return per_side, [Check(target, _x(lead), verdict(lead, bound, at_most=False))]
