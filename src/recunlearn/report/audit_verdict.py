"""The audit verdict of a backbone: which methods leave D_r detectable where Retrain does not.

A model leaves D_r detectable when the attack scores it above Retrain by more than two
standard errors of the difference (:func:`recunlearn.audits.power.differs`) on the AUC or
on the TPR at the first reported false-positive rate (``audits.lira.fprs``: 1 %), the
rate of the power line. The verdict is only given where
the attack has power (Original itself is detectable that way); otherwise it says that
the attack cannot tell the methods apart.
"""

from __future__ import annotations

import pandas as pd

from recunlearn.audits.power import NO_POWER, auc_error, differs, rate_error
from recunlearn.report.headline import backbone_label, method_label


def _with_error(row: pd.Series, key: str) -> tuple[float, float]:
    n_pos, n_neg = int(row["n_members"]), int(row["n_non_members"])
    value = float(row[key])
    error = auc_error(value, n_pos, n_neg) if key == "auc" else rate_error(value, n_pos)
    return value, error


def detectable(row: pd.Series, retrain: pd.Series, keys: tuple[str, ...]) -> bool:
    """Whether ``row`` scores above ``retrain`` beyond sampling error on one of ``keys``."""
    for key in keys:
        (value, error), (base, base_error) = _with_error(row, key), _with_error(retrain, key)
        if value > base and differs(value, error, base, base_error):
            return True
    return False


def attack_rows(audit: pd.DataFrame, lira: pd.DataFrame, shown: str) -> tuple[pd.DataFrame, str]:
    """The rows the verdict reads and the attack's name: LiRA's ``shown`` score where it
    ran, else the population attack (its non-members as many as its members)."""
    if len(lira):
        return lira[lira["score"] == shown], f"LiRA, {shown} score"
    if "population_auc" not in audit:
        return pd.DataFrame(), ""
    rows = audit.rename(columns={"population_auc": "auc"})
    return rows.assign(n_non_members=rows["n_members"]), "population attack"


def verdict_line(backbone: str, audit: pd.DataFrame, lira: pd.DataFrame, shown: str) -> str:
    """One line: the methods that leave D_r detectable where Retrain does not, by name."""
    rows, attack = attack_rows(audit, lira, shown)
    label = backbone_label(backbone)
    named = rows.set_index("model") if len(rows) else rows
    if not {"original", "retrain"} <= set(named.index):
        return f"**{label}**: no audit verdict (no attack ran, or Original or Retrain is missing)."
    keys = ("auc", *[c for c in named.columns if c.startswith("tpr@")][:1])
    retrain = named.loc["retrain"]
    if not detectable(named.loc["original"], retrain, keys):
        return f"**{label}** ({attack}): {NO_POWER} (Original is not detectable above Retrain)."
    methods = [m for m in named.index if m not in ("original", "retrain")]
    flagged = [method_label(m) for m in methods if detectable(named.loc[m], retrain, keys)]
    clean = [method_label(m) for m in methods if method_label(m) not in flagged]
    if not flagged:
        return (
            f"**{label}** ({attack}): no method leaves D_r more detectable than Retrain "
            f"does (within sampling error: {', '.join(clean) or 'none'})."
        )
    return (
        f"**{label}** ({attack}): D_r stays detectable where Retrain's is not under "
        f"{', '.join(flagged)}; within sampling error of Retrain: {', '.join(clean) or 'none'}."
    )
