"""The audit section of the report: one table per backbone, each number beside Retrain's.

Reads the ``rpt_audit_{backbone}`` tables of the audits pipeline (one row per model:
``population_auc`` and, by protocol, ``poison_agreement`` or ``fake_share`` /
``fake_mean_rank``) and the ``rpt_lira_{backbone}`` tables (one row per model, LiRA
score and ``level``, row or user; empty when LiRA did not run), and writes a markdown section of its own
(``rpt_audit_md``). Above each LiRA table: the attack's power (Original against Retrain,
with sampling errors), or the sentence that it cannot tell the methods apart; under each
backbone's heading its verdict (:mod:`recunlearn.report.audit_verdict`).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from recunlearn.audits.power import power_line
from recunlearn.report.audit_verdict import verdict_line

ORDER = ("original", "retrain")
"""Models listed first; the methods follow in their table order."""


def with_retrain_distance(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` (one backbone) with a ``|x - Retrain|`` column after each numeric metric."""
    retrain = table.set_index("model").loc["retrain"] if "retrain" in set(table["model"]) else None
    out = table[["model"]].copy()
    for column in table.columns:
        if column in ("model", "backbone") or not pd.api.types.is_float_dtype(table[column]):
            continue
        out[column] = table[column]
        if retrain is not None:
            out[f"{column} vs Retrain"] = (table[column] - retrain[column]).abs()
    rank = {name: index for index, name in enumerate(ORDER)}
    return out.sort_values("model", key=lambda s: s.map(rank).fillna(len(ORDER)), kind="stable")


def is_fairness(column: str) -> bool:
    """Whether ``column`` belongs to the demographic fairness table (group NDCG, gaps)."""
    return column.startswith("ndcg@") or "_gap" in column


def fairness_lines(table: pd.DataFrame) -> list[str]:
    """NDCG@K per demographic group of each model, the gaps and their change from Original
    (no line when the dataset has no groups)."""
    columns = [column for column in table.columns if is_fairness(column)]
    if not columns:
        return []
    shown = table[["model", *columns]].set_index("model")
    rank = {name: index for index, name in enumerate(ORDER)}
    shown = shown.sort_index(key=lambda s: s.map(rank).fillna(len(ORDER)), kind="stable")
    return [
        "",
        "Demographic fairness: NDCG by gender and age band, each gap (best group minus "
        "worst) and its change from Original:",
        "",
        shown.reset_index().to_markdown(index=False, floatfmt=".3f"),
    ]


def split_levels(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(row-level rows, user-level rows) of a backbone's LiRA table, without ``level``
    (a table without the column is row level)."""
    if "level" not in table:
        return table, table.iloc[0:0]
    user = table["level"] == "user"
    return table[~user].drop(columns="level"), table[user].drop(columns="level")


def lira_heading(named: pd.DataFrame, shown: str, level: str) -> str:
    """What one LiRA table audits (``named``: its rows by model) and what it cost."""
    seconds = float(named["reference_seconds"].iloc[0])
    n, m = int(named["n_members"].iloc[0]), int(named["n_non_members"].iloc[0])
    audited = (
        f"{n} D_r rows"
        if level == "row"
        else f"user level: {n} D_r users against {m} audit-pool users no model saw"
    )
    return f"LiRA ({shown} score, {audited}, reference models trained in {seconds:.1f} s):"


def lira_lines(table: pd.DataFrame, shown: str, level: str = "row") -> list[str]:
    """The LiRA part of one backbone at ``level`` (``row`` or ``user``): its power line
    and the ``shown`` score's table."""
    rows = table[table["score"] == shown].drop(columns=["score"])
    tpr = next(column for column in rows.columns if column.startswith("tpr@"))
    named = rows.set_index("model")
    lines = ["", lira_heading(named, shown, level)]
    if {"original", "retrain"} <= set(named.index):
        lines.append("Audit power: " + power_line(named.loc["original"], named.loc["retrain"], tpr))
    shown_table = with_retrain_distance(
        rows.drop(columns=["n_members", "n_non_members", "reference_seconds"])
    )
    return [*lines, "", shown_table.to_markdown(index=False, floatfmt=".3f")]


def audit_markdown(
    tables: Sequence[pd.DataFrame], lira: Sequence[pd.DataFrame] = (), shown: str = "tail"
) -> str:
    """The audit section: a heading and, per backbone, its table (floats to 3 decimals) and
    its LiRA table where LiRA ran (``lira``: one table per backbone, same order)."""
    lines = [
        "## Audits of forgetting",
        "",
        "Population membership attack on D_r against held-out rows matched on item "
        "popularity and user activity (AUC 0.5: D_r looks unseen), and the behavioural "
        "check of the protocol; each beside its distance to Retrain.",
    ]
    lira = list(lira) or [pd.DataFrame()] * len(tables)
    for table, attack in zip(tables, lira, strict=True):
        backbone = str(table["backbone"].iloc[0]) if len(table) else "?"
        main = table[[column for column in table.columns if not is_fairness(column)]]
        own = with_retrain_distance(main).to_markdown(index=False, floatfmt=".3f")
        rows, users = split_levels(attack)
        verdict = verdict_line(backbone, table, rows, shown)
        lines += ["", f"### {backbone.upper()}", "", verdict, "", own, *fairness_lines(table)]
        if len(rows):
            lines += lira_lines(rows, shown)
        if len(users):
            lines += lira_lines(users, shown, "user")
    return "\n".join(lines) + "\n"
