"""The audit section of the report: one table per backbone, each number beside Retrain's.

Reads the ``rpt_audit_{backbone}`` tables of the audits pipeline (one row per model:
``population_auc`` and, by protocol, ``poison_agreement`` or ``fake_share`` /
``fake_mean_rank``) and writes a markdown section of its own (``rpt_audit_md``).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

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


def audit_markdown(tables: Sequence[pd.DataFrame]) -> str:
    """The audit section: a heading and, per backbone, its table (floats to 3 decimals)."""
    lines = [
        "## Audits of forgetting",
        "",
        "Population membership attack on D_r against held-out rows matched on item "
        "popularity and user activity (AUC 0.5: D_r looks unseen), and the behavioural "
        "check of the protocol; each beside its distance to Retrain.",
    ]
    for table in tables:
        backbone = str(table["backbone"].iloc[0]) if len(table) else "?"
        shown = with_retrain_distance(table)
        lines += ["", f"### {backbone.upper()}", "", shown.to_markdown(index=False, floatfmt=".3f")]
    return "\n".join(lines) + "\n"
