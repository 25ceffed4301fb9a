"""The official raw formats of the supported datasets, and their registry.

Each parser reads an already-opened binary stream (the Kedro dataset opens the file)
and returns the standard raw table: string ``user`` and ``item`` tokens, a float
``rating`` and a float ``timestamp`` (0 where the format has none).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import IO

import pandas as pd

from recunlearn.data.synthetic import synthetic_config_for, synthetic_raw_ratings
from recunlearn.errors import DataValidationError, ParameterError

RAW_COLUMNS = ["user", "item", "rating", "timestamp"]
Parser = Callable[[IO[bytes], str], pd.DataFrame]


@dataclass(frozen=True)
class DatasetSpec:
    """Where a dataset's raw file comes from and how its ratings become labels."""

    name: str
    filename: str
    """File name expected in ``data/01_raw``."""
    parse: Parser
    threshold: float
    """Rating threshold of a positive label."""
    inclusive: bool
    """``rating >= threshold`` is positive if True, else ``rating > threshold``."""
    url: str | None = None
    """Official download; ``None`` for data embedded in an installed wheel."""
    archive_member: str | None = None
    """Path of the file inside the downloaded zip archive, if it is one."""
    generate: Callable[[], pd.DataFrame] | None = None
    """Builds the raw table in memory instead of reading a file (``synthetic``)."""


def standardise(frame: pd.DataFrame, columns: dict[str, str], source: str) -> pd.DataFrame:
    """Rename ``columns`` (raw name -> standard name) and check types.

    Raises:
        DataValidationError: naming ``source`` and the column when a column is
            missing or holds a non-numeric rating / timestamp.
    """
    missing = [raw for raw in columns if raw not in frame.columns]
    if missing:
        raise DataValidationError(
            f"{source}: missing column(s) {missing}; found {list(frame.columns)}"
        )
    out = frame[list(columns)].rename(columns=columns)
    if "timestamp" not in out.columns:
        out["timestamp"] = 0.0
    for name in ("rating", "timestamp"):
        raw_name = next((r for r, s in columns.items() if s == name), name)
        numeric = pd.to_numeric(out[name], errors="coerce")
        bad = numeric.isna() & out[name].notna()
        if name == "rating":
            bad |= out[name].isna()
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            raise DataValidationError(
                f"{source}: column {raw_name!r} has non-numeric value "
                f"{out[name].iloc[row]!r} at data row {row}"
            )
        out[name] = numeric.fillna(0.0).astype("float64")
    out["user"] = out["user"].astype(str)
    out["item"] = out["item"].astype(str)
    return out[RAW_COLUMNS].reset_index(drop=True)


def parse_recbole_inter(stream: IO[bytes], source: str) -> pd.DataFrame:
    """RecBole atomic ``.inter`` file (tab-separated, typed header), e.g. ML-100K."""
    frame = pd.read_csv(stream, sep="\t", dtype=str)
    frame.columns = [c.split(":")[0] for c in frame.columns]
    mapping = {"user_id": "user", "item_id": "item", "rating": "rating", "timestamp": "timestamp"}
    return standardise(frame, mapping, source)


def parse_movielens_dat(stream: IO[bytes], source: str) -> pd.DataFrame:
    """MovieLens-1M ``ratings.dat``: ``UserID::MovieID::Rating::Timestamp``, no header."""
    frame = pd.read_csv(stream, sep=":", header=None, dtype=str, usecols=[0, 2, 4, 6])
    if frame.shape[1] != 4:
        raise DataValidationError(f"{source}: expected 4 '::'-separated fields per line")
    frame.columns = ["UserID", "MovieID", "Rating", "Timestamp"]
    mapping = {"UserID": "user", "MovieID": "item", "Rating": "rating", "Timestamp": "timestamp"}
    return standardise(frame, mapping, source)


def parse_bookcrossing(stream: IO[bytes], source: str) -> pd.DataFrame:
    """BookCrossing ``BX-Book-Ratings.csv``: ``;``-separated, quoted, latin-1, 0-10."""
    frame = pd.read_csv(stream, sep=";", dtype=str, encoding="latin-1", quotechar='"')
    mapping = {"User-ID": "user", "ISBN": "item", "Book-Rating": "rating"}
    return standardise(frame, mapping, source)


def parse_amazon_ratings(stream: IO[bytes], source: str) -> pd.DataFrame:
    """Amazon ratings-only CSV: ``user,item,rating,timestamp`` with no header."""
    frame = pd.read_csv(stream, header=None, dtype=str)
    if frame.shape[1] != 4:
        raise DataValidationError(
            f"{source}: expected 4 columns user,item,rating,timestamp; found {frame.shape[1]}"
        )
    frame.columns = RAW_COLUMNS
    return standardise(frame, {c: c for c in RAW_COLUMNS}, source)


def parse_kuairec(stream: IO[bytes], source: str) -> pd.DataFrame:
    """KuaiRec ``small_matrix.csv``; the rating is ``watch_ratio``."""
    frame = pd.read_csv(stream, dtype=str)
    mapping = {
        "user_id": "user",
        "video_id": "item",
        "watch_ratio": "rating",
        "timestamp": "timestamp",
    }
    return standardise(frame, mapping, source)


DATASETS: dict[str, DatasetSpec] = {
    "ml-100k": DatasetSpec(
        name="ml-100k",
        filename="ml-100k.inter",
        parse=parse_recbole_inter,
        threshold=4.0,
        inclusive=True,
    ),
    "ml-1m": DatasetSpec(
        name="ml-1m",
        filename="ratings.dat",
        parse=parse_movielens_dat,
        threshold=4.0,
        inclusive=True,
        url="https://files.grouplens.org/datasets/movielens/ml-1m.zip",
        archive_member="ml-1m/ratings.dat",
    ),
    "bookcrossing": DatasetSpec(
        name="bookcrossing",
        filename="BX-Book-Ratings.csv",
        parse=parse_bookcrossing,
        threshold=5.0,
        inclusive=False,
        url="http://www2.informatik.uni-freiburg.de/~cziegler/BX/BX-CSV-Dump.zip",
        archive_member="BX-Book-Ratings.csv",
    ),
    "amazon-electronics": DatasetSpec(
        name="amazon-electronics",
        filename="ratings_Electronics.csv",
        parse=parse_amazon_ratings,
        threshold=4.0,
        inclusive=False,
        url="http://snap.stanford.edu/data/amazon/productGraph/categoryFiles/ratings_Electronics.csv",
    ),
    "kuairec": DatasetSpec(
        name="kuairec",
        filename="small_matrix.csv",
        parse=parse_kuairec,
        # A watch ratio of at least 2 (watched twice over) counts as a positive,
        # the binarisation used by most KuaiRec recommendation studies.
        threshold=2.0,
        inclusive=True,
        url="https://nas.chongminggao.top:4430/datasets/KuaiRec.zip",
        archive_member="KuaiRec 2.0/data/small_matrix.csv",
    ),
}


def generated_spec(name: str) -> DatasetSpec | None:
    """``synthetic`` / ``synthetic-<rows>`` (see :mod:`recunlearn.data.synthetic`), else None.

    Its raw rating is the 0/1 label, so the threshold is 1 (inclusive).
    """
    config = synthetic_config_for(name)
    if config is None:
        return None
    generate = partial(synthetic_raw_ratings, config)
    return DatasetSpec(name, f"{name} (generated)", _not_a_file, 1.0, True, generate=generate)


def _not_a_file(stream: IO[bytes], source: str) -> pd.DataFrame:
    raise DataValidationError(f"{source}: a generated dataset is not read from a file")


def dataset_spec(name: str) -> DatasetSpec:
    """The spec of dataset ``name``; a clear error for an unknown name."""
    generated = generated_spec(name)
    if generated is not None:
        return generated
    try:
        return DATASETS[name]
    except KeyError:
        raise ParameterError(
            f"parameter 'dataset': unknown dataset {name!r}; choose one of {sorted(DATASETS)}"
        ) from None
