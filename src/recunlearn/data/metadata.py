"""Side information of a dataset: item genres and user demographics.

ML-100K ships both in the same RecBole atomic format as its ratings (``ml-100k.item``:
``item_id``, ``class`` = space-separated genres; ``ml-100k.user``: ``user_id``, ``age``,
``gender``, ``occupation``). A generated dataset (``synthetic-*``) gets seeded ones
with ML-100K's genre names, so that a toy run exercises the same checks. A dataset
without either has empty tables: the audits that need them are left out.

Raw tables keep the file's tokens; :func:`item_genres` and :func:`user_groups` join them
to the internal ids through ingestion's id map (``int_id_map``: ``kind``, ``token``, ``id``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import IO

import numpy as np
import pandas as pd

from recunlearn.data.raw_formats import read_table
from recunlearn.errors import DataValidationError, ParameterError
from recunlearn.seeding import numpy_rng

ITEM_COLUMNS = ["item", "genre"]
USER_COLUMNS = ["user", "age", "gender"]
FILES = {"ml-100k": {"items": "ml-100k.item", "users": "ml-100k.user"}}
"""Each dataset's side files by kind (their names in ``data/01_raw`` and in the wheel)."""
ML100K_GENRES = (
    "Action Adventure Animation Children's Comedy Crime Documentary Drama Fantasy "
    "Film-Noir Horror Musical Mystery Romance Sci-Fi Thriller War Western"
).split()
AGE_EDGES = (18, 25, 35, 45, 56)
"""MovieLens' age bands: under 18, 18-24, 25-34, 35-44, 45-55, 56 and over."""


def side_file(dataset: str, kind: str) -> str | None:
    """The file name of ``dataset``'s ``kind`` (``items`` / ``users``) side table, if any."""
    return FILES.get(dataset, {}).get(kind)


def _recbole_columns(stream: IO[bytes], source: str, wanted: dict[str, str]) -> pd.DataFrame:
    frame = read_table(stream, source, sep="\t")
    frame.columns = [c.split(":")[0] for c in frame.columns]
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise DataValidationError(
            f"{source}: missing column(s) {missing}; found {list(frame.columns)}"
        )
    return frame[list(wanted)].rename(columns=wanted).fillna("")


def parse_recbole_items(stream: IO[bytes], source: str) -> pd.DataFrame:
    """RecBole ``.item`` file: one (item token, genre) row per genre of each item."""
    frame = _recbole_columns(stream, source, {"item_id": "item", "class": "genre"})
    frame["genre"] = frame["genre"].str.split()
    long = frame.explode("genre").dropna(subset=["genre"])
    return long[ITEM_COLUMNS].astype(str).reset_index(drop=True)


def parse_recbole_users(stream: IO[bytes], source: str) -> pd.DataFrame:
    """RecBole ``.user`` file: user token, numeric age, gender."""
    wanted = {"user_id": "user", "age": "age", "gender": "gender"}
    frame = _recbole_columns(stream, source, wanted)
    age = pd.to_numeric(frame["age"], errors="coerce")
    if age.isna().any():
        line = int(frame.index[age.isna().to_numpy()][0])
        raise DataValidationError(f"{source}: line {line}: column 'age' is not a number")
    return frame.assign(age=age.astype("int64"))[USER_COLUMNS].reset_index(drop=True)


def generated_side_tables(n_users: int, n_items: int, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Seeded side tables of a generated dataset (tokens ``"0"``..``"n-1"``): each item one
    or two of ML-100K's genres, each user an age in 10..69 and a gender."""
    rng = numpy_rng(seed, "synthetic", "side")
    items = np.arange(n_items).astype(str)
    first = rng.integers(len(ML100K_GENRES), size=n_items)
    second = np.where(rng.random(n_items) < 0.5, rng.integers(len(ML100K_GENRES)), first)
    genres = pd.DataFrame(
        {"item": np.r_[items, items], "genre": np.take(ML100K_GENRES, np.r_[first, second])}
    ).drop_duplicates()
    people = pd.DataFrame(
        {
            "user": np.arange(n_users).astype(str),
            "age": rng.integers(10, 70, size=n_users),
            "gender": np.where(rng.random(n_users) < 0.5, "F", "M"),
        }
    )
    return {"items": genres.reset_index(drop=True), "users": people}


def empty_side_table(kind: str) -> pd.DataFrame:
    """The ``kind`` side table of a dataset that has none."""
    return pd.DataFrame(columns=ITEM_COLUMNS if kind == "items" else USER_COLUMNS)


def _to_ids(frame: pd.DataFrame, id_map: pd.DataFrame, column: str) -> pd.DataFrame:
    """``frame`` with ``column``'s tokens replaced by internal ids (unknown tokens dropped:
    users and items the k-core filter removed)."""
    ids = id_map[id_map["kind"] == column].set_index("token")["id"]
    mapped = frame[column].astype(str).map(ids)
    out = frame[mapped.notna().to_numpy()].copy()
    out[column] = mapped.dropna().astype("int64").to_numpy()
    return out.reset_index(drop=True)


def item_genres(raw_items: pd.DataFrame, id_map: pd.DataFrame) -> pd.DataFrame:
    """(item id, genre) rows of the items left after cleaning."""
    return _to_ids(raw_items[ITEM_COLUMNS], id_map, "item").sort_values(ITEM_COLUMNS)


AGE_BANDS = (
    f"<{AGE_EDGES[0]}",
    *(f"{lo}-{hi - 1}" for lo, hi in zip(AGE_EDGES[:-1], AGE_EDGES[1:], strict=True)),
    f"{AGE_EDGES[-1]}+",
)
"""The band labels, youngest first: ``<18``, ``18-24``, ..., ``56+``."""


def age_band(ages: pd.Series) -> pd.Series:
    """MovieLens' age band of each age (:data:`AGE_BANDS`)."""
    bins = [-np.inf, *AGE_EDGES, np.inf]
    return pd.cut(ages, bins=bins, labels=list(AGE_BANDS), right=False).astype(str)


def user_groups(raw_users: pd.DataFrame, id_map: pd.DataFrame) -> pd.DataFrame:
    """(user id, gender, age band) rows of the users left after cleaning."""
    users = _to_ids(raw_users[USER_COLUMNS], id_map, "user")
    users["age_band"] = age_band(users["age"]) if len(users) else pd.Series(dtype=str)
    return users[["user", "gender", "age_band"]].sort_values("user").reset_index(drop=True)


def genre_items(genres: pd.DataFrame, genre: str, source: str) -> np.ndarray:
    """The internal ids of the items of ``genre``.

    Raises:
        ParameterError: naming ``poisoning.genre`` and ``source`` (the item file) when no
            item has the genre.
    """
    items = genres.loc[genres["genre"] == genre, "item"].to_numpy(dtype=np.int64)
    if not len(items):
        known = ", ".join(sorted(pd.unique(genres["genre"]))) or "none: the file is absent"
        raise ParameterError(
            f"parameter 'poisoning.genre': no item of {source} has genre {genre!r} "
            f"(its genres: {known})"
        )
    return np.unique(items)


def genre_lookup(genres: pd.DataFrame, dataset: str) -> Callable[[str], np.ndarray]:
    """:func:`genre_items` over ``genres``, its refusals naming ``dataset``'s item file."""
    source = side_file(dataset, "items") or f"the item genres of {dataset} (it has no item file)"
    return partial(genre_items, genres, source=source)
