"""Candidate non-members of a membership attack, drawn like D_r by protocol.

A membership attack compares D_r with rows no audited model trained on; those rows must
look like D_r in every way but membership, or the attack measures the difference
instead (a model right about clean rows and wrong about flipped ones separates them
without any memorisation). By request kind:

- ``label_flip``: held-out rows with their labels flipped, as D_r's were;
- ``private``: held-out positive rows of D_r's users (D_r is positive rows of its users);
- ``user_wise``: held-out rows of D_r's users (no model after Retrain saw those users);
- ``category``: held-out rows of D_r's users on D_r's items (the genre's items they rated);
- ``noise_injection``: fresh fakes drawn as the injected ones were: for each fake user,
  label-1 rows on items that user has in neither D nor the held-out rows, as many again
  as were injected (:data:`FRESH_PER_FAKE` times);
- any other kind: the held-out rows as they are.

:func:`recunlearn.audits.matching.match_groups` then matches them to D_r on item
popularity and user activity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FRESH_PER_FAKE = 2
"""Fresh fake candidates drawn per injected fake row, so that matching has a choice."""


def fresh_fakes(marked: pd.DataFrame, held_out: pd.DataFrame, rng: np.random.Generator):
    """Label-1 rows of D_r's users on items they have in neither ``marked`` nor
    ``held_out``, :data:`FRESH_PER_FAKE` per injected row (fewer where items run out)."""
    forget = marked[marked["forget"]]
    n_items = int(max(marked["item"].max(), held_out["item"].max())) + 1
    touched = pd.concat([marked, held_out]).groupby("user")["item"].apply(set)
    rows = []
    for user, count in forget["user"].value_counts().sort_index().items():
        free = np.setdiff1d(np.arange(n_items), np.fromiter(touched[user], dtype=np.int64))
        size = min(FRESH_PER_FAKE * int(count), len(free))
        rows.append(pd.DataFrame({"user": user, "item": rng.choice(free, size, replace=False)}))
    fakes = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["user", "item"])
    return fakes.astype("int64").assign(label=1)


def non_member_candidates(
    kind: str, marked: pd.DataFrame, held_out: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """Rows no audited model trained on, drawn like D_r of a ``kind`` request
    (``user``, ``item``, ``label``)."""
    rows, forget = held_out[["user", "item", "label"]], marked[marked["forget"]]
    if kind == "label_flip":
        return rows.assign(label=1 - rows["label"]).reset_index(drop=True)
    if kind == "noise_injection":
        return fresh_fakes(marked, held_out, rng)
    if kind in ("private", "user_wise", "category"):
        rows = rows[rows["user"].isin(forget["user"])]
    if kind == "private":
        rows = rows[rows["label"] == 1]
    if kind == "category":
        rows = rows[rows["item"].isin(forget["item"])]
    return rows.reset_index(drop=True)
