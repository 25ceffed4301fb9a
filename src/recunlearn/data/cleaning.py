"""From raw ratings to a clean, labelled interaction table with contiguous ids."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recunlearn.errors import DataValidationError, ParameterError

INTERACTION_COLUMNS = ["user", "item", "rating", "timestamp", "label"]


@dataclass(frozen=True)
class CleaningReport:
    """Row counts at each cleaning step, for the ingestion log."""

    raw_rows: int
    duplicate_rows: int
    kcore_removed_rows: int
    rows: int
    users: int
    items: int
    positive_rate: float


def binarise(ratings: pd.Series, threshold: float, inclusive: bool) -> pd.Series:
    """1 where the rating passes the threshold, else 0."""
    passed = ratings >= threshold if inclusive else ratings > threshold
    return passed.astype("int8")


def drop_duplicates(frame: pd.DataFrame) -> pd.DataFrame:
    """Keep one row per (user, item): the latest by timestamp, ties by file order."""
    ordered = frame.reset_index(drop=True).sort_values("timestamp", kind="stable")
    return ordered.drop_duplicates(["user", "item"], keep="last").sort_index()


def k_core(frame: pd.DataFrame, k: int) -> pd.DataFrame:
    """Iteratively drop users and items with fewer than ``k`` rows until none remain.

    The result is the largest sub-table in which every user and every item has at
    least ``k`` rows (the classic iterative k-core filter). ``k <= 1`` is a no-op.
    """
    if k < 0:
        raise ParameterError(f"parameter 'ingestion.k_core' must be >= 0, got {k}")
    current = frame
    while k > 1:
        user_counts = current["user"].map(current["user"].value_counts())
        item_counts = current["item"].map(current["item"].value_counts())
        keep = (user_counts >= k) & (item_counts >= k)
        if keep.all():
            break
        current = current[keep]
    return current


def reindex(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Map user and item tokens to contiguous integer ids 0..n-1 (sorted token order).

    Returns the reindexed frame and the id map (``kind`` user / item, ``token``, ``id``),
    which joins side tables (genres, demographics) keyed by the raw tokens.
    """
    out, maps = frame.copy(), []
    for column in ("user", "item"):
        codes, tokens = pd.factorize(out[column], sort=True)
        out[column] = codes.astype(np.int64)
        ids = np.arange(len(tokens), dtype=np.int64)
        maps.append(pd.DataFrame({"kind": column, "token": np.asarray(tokens, str), "id": ids}))
    return out, pd.concat(maps, ignore_index=True)


def clean_interactions(
    raw: pd.DataFrame, threshold: float, inclusive: bool, k: int
) -> tuple[pd.DataFrame, CleaningReport, pd.DataFrame]:
    """Binarise, de-duplicate, k-core filter and reindex raw ratings; the third item is
    the id map of :func:`reindex`."""
    deduplicated = drop_duplicates(raw)
    cored = k_core(deduplicated, k)
    if cored.empty:
        raise DataValidationError(
            f"parameter 'ingestion.k_core'={k} leaves no interactions "
            f"(from {len(deduplicated)} de-duplicated rows); lower it"
        )
    clean, id_map = reindex(cored)
    clean["label"] = binarise(clean["rating"], threshold, inclusive)
    clean = clean[INTERACTION_COLUMNS].reset_index(drop=True)
    report = CleaningReport(
        raw_rows=len(raw),
        duplicate_rows=len(raw) - len(deduplicated),
        kcore_removed_rows=len(deduplicated) - len(cored),
        rows=len(clean),
        users=int(clean["user"].max()) + 1,
        items=int(clean["item"].max()) + 1,
        positive_rate=float(clean["label"].mean()),
    )
    return clean, report, id_map
