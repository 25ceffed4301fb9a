"""The cost page (``docs/results/cost.md``): issue 24's targets beside what the benchmarks
measured, never written by hand.

Each section reads one benchmark's table and its one-row machine record
(``bmk_<name>_machine``: command, device, threads, date, commit, load average) and prints
the target, the measured value and the computed verdict (:mod:`cost_sections`, bounds
from :mod:`cost_targets`). A benchmark that has not written its table yet is one line
saying so; a table without its machine record (written before benchmarks recorded one)
says that instead of a machine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from recunlearn.report import cost_sections
from recunlearn.report.cost_targets import JUDGED_ON, TARGETS, CostTargets

MACHINE_FIELDS = ("command", "device", "threads", "date", "commit", "load_average")


@dataclass(frozen=True)
class Section:
    """One benchmark's section: its table and machine record, title, command, check,
    shown columns (the check's table: label) and the benchmark columns the check reads."""

    dataset: str
    machine: str
    title: str
    command: str
    check: Callable[[pd.DataFrame, CostTargets], tuple[pd.DataFrame, list[cost_sections.Check]]]
    columns: Mapping[str, str]
    needs: tuple[str, ...]


SECTIONS = (
    Section(
        "bmk_influence_update",
        "bmk_influence_update_machine",
        "IFRU's update in MF training epochs (ML-100K, 2 % label flip)",
        "python benchmarks/influence_update.py --seeds 0 1 2 --tols 0.001 0.01 0.03 0.1",
        cost_sections.ifru_update,
        {
            "tol": "CG tol",
            "seeds": "seeds",
            "epochs_cpu": "update / epoch, CPU (mean)",
            "cpu_min": "CPU min",
            "cpu_max": "CPU max",
            "epochs_wall": "wall (mean)",
            "products": "CG products",
            "completeness_auc_0": "completeness AUC_0",
            "speedup": "speed-up over Retrain",
        },
        (
            "seed",
            "tol",
            "update_epochs",
            "update_epochs_cpu",
            "hvp_count",
            "completeness_auc_0",
            "speedup",
        ),
    ),
    Section(
        "bmk_unlearning_speedup",
        "bmk_unlearning_speedup_machine",
        "A fixed 1,000-row request on synthetic data (MF, CPU)",
        "python benchmarks/unlearning_speedup.py --sizes 1e5 1e6 --kinds fixed --device cpu "
        "--tols 0.001 0.03",
        cost_sections.fixed_request,
        {
            "ifru_tol": "CG tol",
            "train_rows": "train rows",
            "retrain_seconds": "Retrain s",
            "ifru_seconds": "IFRU s",
            "ifru_products": "CG products",
            "speedup": "speed-up, wall",
            "speedup_cpu": "speed-up, CPU",
            "speedup_with_prepare": "with prepare, wall",
        },
        (
            "size",
            "request",
            "device",
            "ifru_tol",
            "train_rows",
            "retrain_seconds",
            "ifru_seconds",
            "ifru_products",
            "speedup",
            "speedup_cpu",
            "speedup_with_prepare",
        ),
    ),
    Section(
        "bmk_exact_single_user",
        "bmk_exact_machine",
        "Exact unlearning of one user (MF, ML-100K, 10 shards, in-process)",
        "python benchmarks/exact.py",
        cost_sections.exact_single_user,
        {
            "label": "method",
            "speedup_vs_retrain": "speed-up, wall",
            "cpu_speedup_vs_retrain": "speed-up, CPU",
            "shards_retrained": "shards retrained",
            "auc_0": "AUC_0",
            "ndcg@20": "NDCG@20",
        },
        (
            "method",
            "executor",
            "device",
            "speedup_vs_retrain",
            "cpu_speedup_vs_retrain",
            "shards_retrained",
            "auc_0",
            "ndcg@20",
        ),
    ),
    Section(
        "bmk_mf_step_speed",
        "bmk_mf_step_speed_machine",
        "An MF training epoch against the memory-bandwidth floor (ML-100K)",
        "python benchmarks/mf_step_speed.py --threads 1",
        cost_sections.mf_epoch,
        {
            "path": "path",
            "seconds_per_epoch": "s / epoch",
            "cpu_seconds_per_epoch": "CPU s / epoch",
            "floor_seconds": "floor s",
            "ratio_wall": "/ floor, wall",
            "ratio_cpu": "/ floor, CPU",
            "bitwise_equal": "bitwise equal",
        },
        (
            "path",
            "seconds_per_epoch",
            "cpu_seconds_per_epoch",
            "floor_seconds",
            "ratio_to_floor",
            "parameters_bitwise_equal",
        ),
    ),
    Section(
        "bmk_recbole_bpr",
        "bmk_recbole_bpr_machine",
        "An MF epoch beside RecBole's BPR epoch, per row (ML-100K)",
        "python benchmarks/recbole_bpr.py --recbole-python <venv>/bin/python --threads 1",
        cost_sections.recbole_lead,
        {
            "side": "side",
            "rows_per_epoch": "rows / epoch",
            "seconds_per_epoch": "s / epoch",
            "rows_per_second": "rows / s",
        },
        ("repeat", "side", "rows_per_epoch", "seconds_per_epoch", "rows_per_second", "lead"),
    ),
)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "–" if pd.isna(value) else f"{value:.3g}"
    return str(value)


def machine_lines(record: Mapping[str, Any] | None, name: str) -> list[str]:
    """The run's machine as a two-column table, or one line where none was recorded."""
    if record is None:
        return [f"Machine not recorded (`{name}` absent: written before it was).", ""]
    rows = [f"| {field.replace('_', ' ')} | {record[field]} |" for field in MACHINE_FIELDS]
    return ["| | |", "| --- | --- |", *rows, ""]


def section_lines(
    section: Section, table: pd.DataFrame, record: Mapping[str, Any] | None, targets: CostTargets
) -> tuple[list[str], list[cost_sections.Check]]:
    """One section's markdown and its checks (none where the benchmark has not run)."""
    lines = [f"## {section.title}", ""]
    if table.empty:
        note = f"Not measured yet: `{section.dataset}` is absent; run `{section.command}`."
        return [*lines, note, ""], []
    missing = [column for column in section.needs if column not in table.columns]
    if missing:  # a table written by an older benchmark
        raise ValueError(f"{section.dataset}: no column {', '.join(missing)}")
    shown, checks = section.check(table, targets)
    body = shown[list(section.columns)].rename(columns=dict(section.columns)).map(_cell)
    lines += machine_lines(record, section.machine)
    lines += [body.to_markdown(index=False, disable_numparse=True), ""]
    lines += [f"- {c.target}: {c.measured}: **{c.verdict}**." for c in checks] + [""]
    return lines, checks


def cost_page(
    measured: Mapping[str, tuple[pd.DataFrame, Mapping[str, Any] | None]],
    targets: CostTargets = TARGETS,
) -> str:
    """The page from each section's (table, machine record or None), by dataset name."""
    body, checks = [], []
    for section in SECTIONS:
        lines, found = section_lines(section, *measured[section.dataset], targets)
        body += lines
        checks += found
    summary = pd.DataFrame(
        [(c.target, c.measured, c.verdict) for c in checks],
        columns=["target", "measured", "verdict"],
    )
    lines = ["# Results: what a request costs (issue 24)", ""]
    lines += [
        "Generated by `kedro run --pipelines=results --nodes=write_cost_page` from the "
        "benchmarks' tables and machine records in the catalog; never edited by hand. "
        f"Verdicts are computed from `recunlearn.report.cost_targets` on {JUDGED_ON}.",
        "",
    ]
    if not summary.empty:
        lines += [summary.to_markdown(index=False, disable_numparse=True), ""]
    return "\n".join(lines + body)
