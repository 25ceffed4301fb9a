"""The official raw formats of the supported datasets, and their registry.

Each parser reads an already-opened binary stream (the Kedro dataset opens the file)
and returns the standard raw table: string ``user`` and ``item`` tokens, a float
``rating`` and a float ``timestamp`` (0 where the format has none).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import IO, Any

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

    def label_threshold(self, override: float | None) -> float:
        """The positive-label threshold: ``ingestion.label_threshold`` when set, else ours."""
        return self.threshold if override is None else override


def read_table(stream: IO[bytes], source: str, **read_args: Any) -> pd.DataFrame:
    """``pd.read_csv`` (all values as text) with one-line errors naming ``source``.

    The frame's index is each row's 1-based line number in the file (the header and
    blank lines counted, blank lines dropped), so a bad row is reported where an
    editor shows it.

    Raises:
        DataValidationError: the file is empty (or blank), or a line does not parse.
    """
    try:
        frame = pd.read_csv(stream, dtype=str, skip_blank_lines=False, **read_args)
    except pd.errors.EmptyDataError:
        raise DataValidationError(f"{source}: the file is empty") from None
    except pd.errors.ParserError as error:
        reason = str(error).strip().splitlines()[-1]
        raise DataValidationError(f"{source}: malformed line ({reason})") from None
    header_lines = 0 if read_args.get("header", "infer") is None else 1
    frame.index = frame.index + 1 + header_lines
    return frame.dropna(how="all")


def check_shape(frame: pd.DataFrame, expected: list[str], source: str) -> None:
    """A raw table with one field per line where several are expected was read with
    the wrong separator; a table with no row has nothing to learn from.

    Raises:
        DataValidationError: naming ``source``, the problem and the expected columns.
    """
    if frame.shape[1] == 1 and len(expected) > 1:
        raise DataValidationError(
            f"{source}: every line is one field where {len(expected)} columns "
            f"({', '.join(expected)}) are expected: wrong separator"
        )
    if frame.empty:
        raise DataValidationError(f"{source}: no data rows, only a header")


def first_bad_line(frame: pd.DataFrame, bad: pd.Series) -> int | None:
    """The file line (the frame's index, see :func:`read_table`) of the first ``bad`` row."""
    rows = bad.to_numpy().nonzero()[0]
    return int(frame.index[rows[0]]) if len(rows) else None


def check_values(out: pd.DataFrame, columns: dict[str, str], source: str) -> None:
    """Every row names a user and an item, a numeric rating and a numeric (or no) timestamp.

    Raises:
        DataValidationError: naming ``source``, the 1-based line and the raw column.
    """
    raw_names = {standard: raw for raw, standard in columns.items()}
    for name in ("user", "item", "rating", "timestamp"):
        if name not in raw_names:
            continue
        values = out[name]
        if name in ("user", "item"):
            bad = values.isna() | (values.str.strip() == "")
        else:  # a missing timestamp is 0; a missing rating is an error
            missing_allowed = name == "timestamp"
            bad = pd.to_numeric(values, errors="coerce").isna() & (
                values.notna() | (not missing_allowed)
            )
        line = first_bad_line(out, bad)
        if line is None:
            continue
        value = values.loc[line]
        blank = pd.isna(value) or not str(value).strip()
        problem = "is empty" if blank else f"is not a number (got {value!r})"
        raise DataValidationError(f"{source}: line {line}: column {raw_names[name]!r} {problem}")


def standardise(frame: pd.DataFrame, columns: dict[str, str], source: str) -> pd.DataFrame:
    """Rename ``columns`` (raw name -> standard name) and check types.

    Raises:
        DataValidationError: naming ``source`` and the column when a column is
            missing or holds an empty user / item or a non-numeric rating / timestamp
            (with its 1-based line), or the file has no row or was written with
            another separator.
    """
    check_shape(frame, list(columns), source)
    missing = [raw for raw in columns if raw not in frame.columns]
    if missing:
        raise DataValidationError(
            f"{source}: missing column(s) {missing}; found {list(frame.columns)}"
        )
    out = frame[list(columns)].rename(columns=columns)
    check_values(out, columns, source)
    if "timestamp" not in out.columns:
        out["timestamp"] = 0.0
    for name in ("rating", "timestamp"):
        out[name] = pd.to_numeric(out[name], errors="coerce").fillna(0.0).astype("float64")
    out["user"] = out["user"].astype(str)
    out["item"] = out["item"].astype(str)
    return out[RAW_COLUMNS].reset_index(drop=True)


def parse_recbole_inter(stream: IO[bytes], source: str) -> pd.DataFrame:
    """RecBole atomic ``.inter`` file (tab-separated, typed header), e.g. ML-100K."""
    frame = read_table(stream, source, sep="\t")
    frame.columns = [c.split(":")[0] for c in frame.columns]
    mapping = {"user_id": "user", "item_id": "item", "rating": "rating", "timestamp": "timestamp"}
    return standardise(frame, mapping, source)


def parse_movielens_dat(stream: IO[bytes], source: str) -> pd.DataFrame:
    """MovieLens-1M ``ratings.dat``: ``UserID::MovieID::Rating::Timestamp``, no header."""
    frame = read_table(stream, source, sep=":", header=None)
    if frame.shape[1] != 7 or frame[[1, 3, 5]].notna().any(axis=None):
        raise DataValidationError(
            f"{source}: expected 4 '::'-separated fields per line "
            "(UserID::MovieID::Rating::Timestamp); the first line is "
            f"{':'.join(frame.iloc[0].fillna('').astype(str))[:60]!r}"
        )
    frame = frame[[0, 2, 4, 6]]
    frame.columns = ["UserID", "MovieID", "Rating", "Timestamp"]
    mapping = {"UserID": "user", "MovieID": "item", "Rating": "rating", "Timestamp": "timestamp"}
    return standardise(frame, mapping, source)


def parse_bookcrossing(stream: IO[bytes], source: str) -> pd.DataFrame:
    """BookCrossing ``BX-Book-Ratings.csv``: ``;``-separated, quoted, latin-1, 0-10."""
    frame = read_table(stream, source, sep=";", encoding="latin-1", quotechar='"')
    mapping = {"User-ID": "user", "ISBN": "item", "Book-Rating": "rating"}
    return standardise(frame, mapping, source)


def parse_amazon_ratings(stream: IO[bytes], source: str) -> pd.DataFrame:
    """Amazon ratings-only CSV: ``user,item,rating,timestamp`` with no header."""
    frame = read_table(stream, source, header=None)
    if frame.shape[1] != 4:
        raise DataValidationError(
            f"{source}: expected 4 comma-separated columns user,item,rating,timestamp; "
            f"found {frame.shape[1]}"
        )
    frame.columns = RAW_COLUMNS
    return standardise(frame, {c: c for c in RAW_COLUMNS}, source)


def parse_kuairec(stream: IO[bytes], source: str) -> pd.DataFrame:
    """KuaiRec ``small_matrix.csv``; the rating is ``watch_ratio``."""
    frame = read_table(stream, source)
    mapping = {
        "user_id": "user",
        "video_id": "item",
        "watch_ratio": "rating",
        "timestamp": "timestamp",
    }
    return standardise(frame, mapping, source)


KUAIREC_POSITIVE = 2.0
"""Watch ratio from which a KuaiRec view is a positive (watched at least twice over)."""


def parse_kuairec_binary(stream: IO[bytes], source: str) -> pd.DataFrame:
    """KuaiRec-binary (AltEraser §5.1): only the views of ``small_matrix.csv`` with a
    watch ratio of at least 2, as implicit feedback; every other pair is unobserved."""
    frame = parse_kuairec(stream, source)
    return frame[frame["rating"] >= KUAIREC_POSITIVE].reset_index(drop=True)


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
        threshold=KUAIREC_POSITIVE,
        inclusive=True,
        url="https://nas.chongminggao.top:4430/datasets/KuaiRec.zip",
        archive_member="KuaiRec 2.0/data/small_matrix.csv",
    ),
    "kuairec-binary": DatasetSpec(
        name="kuairec-binary",
        filename="small_matrix.csv",
        parse=parse_kuairec_binary,
        threshold=KUAIREC_POSITIVE,
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


GENERATED_NAMES = ("synthetic", "synthetic-<rows>")
"""The generated datasets' names: 10^5 rows, or any whole number (``synthetic-1e6``)."""


def dataset_choices() -> str:
    """Every valid ``dataset`` value, for messages: the files', then the generated ones."""
    return ", ".join([*sorted(DATASETS), *GENERATED_NAMES])


def known_dataset(name: str) -> str:
    """``name`` unchanged when it names a registered or a generated dataset.

    Raises:
        ParameterError: (a ValueError) saying what is wrong and listing the choices.
    """
    if name in DATASETS:
        return name
    try:
        generated = synthetic_config_for(name)
    except ValueError as error:
        raise ParameterError(str(error).removeprefix("parameter 'dataset': ")) from None
    if generated is None:
        raise ParameterError(f"unknown dataset {name!r}; choose one of {dataset_choices()}")
    return name


def dataset_spec(name: str) -> DatasetSpec:
    """The spec of dataset ``name``; a clear error for an unknown name."""
    try:
        known_dataset(name)
    except ParameterError as error:
        raise ParameterError(f"parameter 'dataset': {error}") from None
    return generated_spec(name) or DATASETS[name]
