"""Train / validation / test splits of a clean interaction table."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recunlearn.data import SplitStrategy
from recunlearn.errors import DataValidationError, ParameterError


@dataclass(frozen=True)
class Split:
    """The three parts of a split, plus how many cold rows were dropped from each."""

    train: pd.DataFrame
    valid: pd.DataFrame
    test: pd.DataFrame
    dropped_valid: int
    dropped_test: int


def random_split(
    frame: pd.DataFrame, fractions: tuple[float, float, float], rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Shuffle rows and cut them by ``fractions`` (the IFRU protocol, 60/20/20)."""
    order = rng.permutation(len(frame))
    n_train = int(round(fractions[0] * len(frame)))
    n_valid = int(round(fractions[1] * len(frame)))
    parts = np.split(order, [n_train, n_train + n_valid])
    return tuple(frame.iloc[np.sort(p)] for p in parts)  # type: ignore[return-value]


def per_user_split(
    frame: pd.DataFrame, fractions: tuple[float, float, float], rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Cut each user's rows at random by ``fractions`` (the AltEraser protocol, 80/0/20).

    Each user keeps at least one training row; rounding goes to training.
    """
    keys = rng.random(len(frame))
    ranks = (
        pd.Series(keys, index=frame.index).groupby(frame["user"].to_numpy()).rank(method="first")
    )
    sizes = frame["user"].map(frame["user"].value_counts()).to_numpy()
    share = (ranks.to_numpy() - 1) / sizes
    train_mask = (share < fractions[0]) | (ranks.to_numpy() == 1)
    valid_mask = ~train_mask & (share < fractions[0] + fractions[1])
    test_mask = ~train_mask & ~valid_mask
    return frame[train_mask], frame[valid_mask], frame[test_mask]


def _drop_cold(part: pd.DataFrame, train: pd.DataFrame) -> pd.DataFrame:
    known = part["user"].isin(train["user"].unique()) & part["item"].isin(train["item"].unique())
    return part[known]


def check_not_empty(
    parts: dict[str, pd.DataFrame],
    fractions: tuple[float, float, float],
    strategy: str,
    n_rows: int,
) -> None:
    """Every part with a positive share holds a row (a zero validation share, as in
    LASER's 90/0/10 or AltEraser's 80/0/20, leaves validation empty by design).

    Raises:
        DataValidationError: naming ``ingestion.split.fractions`` and the empty part.
    """
    for (name, part), share in zip(parts.items(), fractions, strict=True):
        if share > 0 and part.empty:
            raise DataValidationError(
                f"parameter 'ingestion.split.fractions'={list(fractions)} leaves the {name} "
                f"split empty on the {n_rows} rows left by ingestion.k_core "
                f"(strategy={strategy!r}; cold rows dropped): change the shares or lower "
                "ingestion.k_core"
            )


def split_interactions(
    frame: pd.DataFrame,
    strategy: SplitStrategy,
    fractions: tuple[float, float, float],
    rng: np.random.Generator,
) -> Split:
    """Split and drop validation / test rows whose user or item is absent from train."""
    if abs(sum(fractions) - 1.0) > 1e-9 or any(f < 0 for f in fractions) or fractions[0] <= 0:
        raise ParameterError(
            f"parameter 'ingestion.split.fractions' must be 3 non-negative numbers "
            f"summing to 1 with a positive training share, got {fractions}"
        )
    splitters = {"random": random_split, "per_user": per_user_split}
    if strategy not in splitters:
        raise ParameterError(
            f"parameter 'ingestion.split.strategy': unknown {strategy!r}; "
            f"choose one of {sorted(splitters)}"
        )
    train, valid, test = splitters[strategy](frame, fractions, rng)
    kept_valid, kept_test = _drop_cold(valid, train), _drop_cold(test, train)
    check_not_empty(
        {"train": train, "valid": kept_valid, "test": kept_test}, fractions, strategy, len(frame)
    )
    return Split(
        train=train.reset_index(drop=True),
        valid=kept_valid.reset_index(drop=True),
        test=kept_test.reset_index(drop=True),
        dropped_valid=len(valid) - len(kept_valid),
        dropped_test=len(test) - len(kept_test),
    )
