"""Deletion requests: which training rows must be forgotten (the forget set D_r).

Every request returns ``D`` (what Original trains on, with a boolean ``forget``
column marking D_r), so ``D[D.forget]`` is D_r and ``D[~D.forget]`` is D - D_r.

- ``label_flip``: a random ``ratio`` of training rows get their label flipped; D_r
  is those (now wrong) rows, the IFRU attack protocol.
- ``noise_injection``: ``n_users`` random users each get floor(n_u+/2) fake positive
  rows on items they never interacted with in any split (n_u+ = their positive
  training rows); D_r is the fakes, the AltEraser protocol.
- ``private``: ``n_users`` random users each delete floor(n_u+/2) of their own positive
  training rows, chosen at random; D_r is those rows (AltEraser §5.1's privacy scenario).
- ``user_wise``: every training row of ``percent``% of users (or of exactly
  ``user_count`` users: 1 is a single user's request), chosen at random (``rand@K``)
  or the most active first (``top@K``), the LASER protocol.
- ``category``: ``n_users`` random users (among those with a training row on the genre)
  delete every training row on items of one genre (``genre``, ML-100K's item classes).
- ``none``: nothing to forget (checks that a method is harmless).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, Protocol

import numpy as np
import pandas as pd

from recunlearn.errors import DataValidationError, ParameterError

RequestKind = Literal["label_flip", "noise_injection", "private", "user_wise", "category", "none"]


class RequestSpec(Protocol):
    """The fields of a deletion request (``PoisoningConfig`` has them all)."""

    kind: str
    ratio: float
    n_users: int
    percent: float
    selection: str
    user_count: int | None
    genre: str


def _with_forget(frame: pd.DataFrame, forget: np.ndarray) -> pd.DataFrame:
    out = frame.reset_index(drop=True).copy()
    out["forget"] = forget.astype(bool)
    return out


def flip_labels(train: pd.DataFrame, ratio: float, rng: np.random.Generator) -> pd.DataFrame:
    """Flip the label of round(ratio * |train|) random rows and mark them forget."""
    if not 0.0 < ratio < 1.0:
        raise ParameterError(f"parameter 'poisoning.ratio' must be in (0, 1), got {ratio}")
    n_flip = int(round(ratio * len(train)))
    if n_flip == 0:
        raise DataValidationError(
            f"parameter 'poisoning.ratio'={ratio} selects no row of {len(train)} training rows"
        )
    chosen = rng.choice(len(train), size=n_flip, replace=False)
    mask = np.zeros(len(train), dtype=bool)
    mask[chosen] = True
    out = _with_forget(train, mask)
    out.loc[mask, "label"] = 1 - out.loc[mask, "label"]
    return out


def inject_noise(
    train: pd.DataFrame,
    all_interactions: pd.DataFrame,
    n_users: int,
    n_items: int,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Add floor(n_u+/2) fake positives for each of ``n_users`` random users."""
    positives, users = _forgetting_users(train, n_users, rng)
    touched = all_interactions.groupby("user")["item"].apply(set)
    fakes = []
    for user in users:
        untouched = np.setdiff1d(np.arange(n_items), np.fromiter(touched[user], dtype=np.int64))
        n_fake = min(int(positives[user]) // 2, len(untouched))
        items = rng.choice(untouched, size=n_fake, replace=False)
        fakes.append(pd.DataFrame({"user": user, "item": np.sort(items)}))
    fake = pd.concat(fakes, ignore_index=True)
    fake["rating"], fake["timestamp"], fake["label"] = np.nan, np.nan, 1
    combined = pd.concat([train, fake[train.columns]], ignore_index=True)
    forget = np.r_[np.zeros(len(train), bool), np.ones(len(fake), bool)]
    return _with_forget(combined, forget)


def _forgetting_users(train: pd.DataFrame, n_users: int, rng: np.random.Generator):
    """(positive training rows per user, ``n_users`` users with at least 2, sorted)."""
    positives = train[train["label"] == 1]["user"].value_counts()
    eligible = np.sort(positives[positives >= 2].index.to_numpy())
    if not 1 <= n_users <= len(eligible):
        raise ParameterError(
            f"parameter 'poisoning.n_users' must be in [1, {len(eligible)}] "
            f"(users with at least 2 positive training rows), got {n_users}"
        )
    return positives, np.sort(rng.choice(eligible, size=n_users, replace=False))


def delete_private(train: pd.DataFrame, n_users: int, rng: np.random.Generator) -> pd.DataFrame:
    """Mark floor(n_u+/2) random positive training rows of each of ``n_users`` random users."""
    positives, users = _forgetting_users(train, n_users, rng)
    frame = train.reset_index(drop=True)
    forget = np.zeros(len(frame), dtype=bool)
    for user in users:
        own = np.flatnonzero((frame["user"] == user).to_numpy() & (frame["label"] == 1).to_numpy())
        forget[rng.choice(own, size=int(positives[user]) // 2, replace=False)] = True
    return _with_forget(frame, forget)


def delete_category(
    train: pd.DataFrame, genre_items: np.ndarray, n_users: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Mark every training row on ``genre_items`` of ``n_users`` random users who have one."""
    frame = train.reset_index(drop=True)
    on_genre = frame["item"].isin(genre_items).to_numpy()
    eligible = np.unique(frame.loc[on_genre, "user"].to_numpy())
    if not 1 <= n_users <= len(eligible):
        raise ParameterError(
            f"parameter 'poisoning.n_users' must be in [1, {len(eligible)}] "
            f"(users with a training row on the genre), got {n_users}"
        )
    users = rng.choice(eligible, size=n_users, replace=False)
    return _with_forget(frame, on_genre & frame["user"].isin(users).to_numpy())


def select_users(
    train: pd.DataFrame,
    percent: float,
    selection: str,
    rng: np.random.Generator,
    count: int | None = None,
) -> pd.DataFrame:
    """Mark every row of ``percent``% of users (``rand`` or ``top`` by activity).

    ``count`` (``poisoning.user_count``) asks for exactly that many users instead:
    ``1`` is a single user's request to be forgotten.
    """
    if not 0.0 < percent < 100.0:
        raise ParameterError(f"parameter 'poisoning.percent' must be in (0, 100), got {percent}")
    counts = train["user"].value_counts()
    if count is not None and not 1 <= count <= len(counts):
        raise ParameterError(
            f"parameter 'poisoning.user_count' must be in [1, {len(counts)}] "
            f"(users with training rows), got {count}"
        )
    n_pick = count if count is not None else max(1, int(round(percent / 100.0 * len(counts))))
    if selection == "rand":
        users = rng.choice(np.sort(counts.index.to_numpy()), size=n_pick, replace=False)
    elif selection == "top":
        ordered = counts.reset_index().sort_values(["count", "user"], ascending=[False, True])
        users = ordered["user"].to_numpy()[:n_pick]
    else:
        raise ParameterError(
            f"parameter 'poisoning.selection' must be 'rand' or 'top', got {selection!r}"
        )
    return _with_forget(train, train["user"].isin(users).to_numpy())


def mark_request(
    train: pd.DataFrame,
    interactions: pd.DataFrame,
    spec: RequestSpec,
    rng: np.random.Generator,
    genre_items: Callable[[str], np.ndarray] | None = None,
) -> pd.DataFrame:
    """D with its ``forget`` column, for the request of kind ``spec.kind``.

    ``genre_items(genre)``: the item ids of a genre (``category`` requests; see
    :func:`recunlearn.data.metadata.genre_items`).

    Raises:
        ParameterError: a field of ``spec`` does not fit the data (e.g. more
            ``poisoning.n_users`` than users who qualify), named by its full path.
    """
    if spec.kind == "label_flip":
        return flip_labels(train, spec.ratio, rng)
    if spec.kind == "noise_injection":
        n_items = int(interactions["item"].max()) + 1
        return inject_noise(train, interactions, spec.n_users, n_items, rng)
    if spec.kind == "private":
        return delete_private(train, spec.n_users, rng)
    if spec.kind == "user_wise":
        return select_users(train, spec.percent, spec.selection, rng, spec.user_count)
    if spec.kind == "category":
        if genre_items is None:
            raise ParameterError("parameter 'poisoning.kind': category needs the item genres")
        return delete_category(train, genre_items(spec.genre), spec.n_users, rng)
    if spec.kind == "none":
        return _with_forget(train, np.zeros(len(train), dtype=bool))
    raise ParameterError(f"parameter 'poisoning.kind': unknown request kind {spec.kind!r}")


def split_request(marked: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(D_r, D - D_r) from a table with a ``forget`` column."""
    forget = marked[marked["forget"]].reset_index(drop=True)
    retain = marked[~marked["forget"]].reset_index(drop=True)
    return forget, retain
