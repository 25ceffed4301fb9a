"""Demographic fairness of a model's top-K lists: NDCG@K by gender and by age band.

Beside the active / inactive split of the evaluation, the audits ask whether unlearning
moved the quality gap between demographic groups: per model, each group's NDCG@K, the
gap (best group minus worst) per attribute, and the gap's change from Original.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recunlearn.audits.behaviour import group_ndcg, user_ndcg
from recunlearn.data.metadata import AGE_BANDS

ATTRIBUTES = ("gender", "age_band")
"""The columns of ``int_user_groups`` the groups come from."""


def demographic_ndcg(
    top: np.ndarray, users: np.ndarray, test: pd.DataFrame, groups: pd.DataFrame, k: int
) -> dict[str, float]:
    """NDCG@k of each group (``ndcg@k gender=F``, ...) and each attribute's gap
    (``gender_gap``: the best group's NDCG minus the worst's); rows of ``top`` are the lists
    of ``users``, ``groups`` has ``user`` and one column per attribute."""
    out: dict[str, float] = {}
    per_user = user_ndcg(top, users, test, k)
    for attribute in ATTRIBUTES:
        labels = groups.set_index("user")[attribute]
        by_group = group_ndcg(top, users, test, labels, k, per_user)
        ordered = sorted(by_group, key=lambda g: (AGE_BANDS.index(g) if g in AGE_BANDS else -1, g))
        out |= {f"ndcg@{k} {attribute}={group}": by_group[group] for group in ordered}
        values = [value for value in by_group.values() if not np.isnan(value)]
        out[f"{attribute}_gap"] = max(values) - min(values) if values else float("nan")
    return out


def with_gap_changes(table: pd.DataFrame, reference: str = "original") -> pd.DataFrame:
    """``table`` (one row per ``model``) with ``{attribute}_gap_change``: each model's gap
    minus ``reference``'s (NaN when the reference is absent)."""
    out = table.copy()
    named = table.set_index("model")
    for attribute in ATTRIBUTES:
        column = f"{attribute}_gap"
        if column not in table:
            continue
        base = named[column].get(reference, float("nan"))
        out[f"{column}_change"] = table[column] - base
    return out
