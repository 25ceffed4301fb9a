"""A read-only Kedro dataset for a dataset's side table: item genres or user demographics."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pandas as pd
from kedro.io import AbstractDataset, DatasetError

from recunlearn.data.metadata import (
    empty_side_table,
    generated_side_tables,
    parse_recbole_items,
    parse_recbole_users,
    side_file,
)
from recunlearn.data.raw_formats import dataset_spec
from recunlearn.data.synthetic import synthetic_config_for
from recunlearn.datasets.raw_ratings import embedded_file

PARSERS = {"items": parse_recbole_items, "users": parse_recbole_users}


class RawSideTableDataset(AbstractDataset[None, pd.DataFrame]):
    """Loads ``dataset``'s ``kind`` side table (``items``: genres, ``users``: age, gender).

    Resolution order: ``raw_dir/<file name>``; for ML-100K the copy beside the ratings in
    the ``recbole`` wheel; for a generated dataset, seeded tables over its raw ratings;
    otherwise an empty table (the dataset has none: the audits that need it are left out).
    """

    def __init__(
        self,
        dataset: str,
        kind: Literal["items", "users"],
        raw_dir: str,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        if kind not in PARSERS:
            raise DatasetError(f"RawSideTableDataset: kind must be items or users, got {kind!r}")
        self._name, self._kind, self._raw_dir = dataset, kind, Path(raw_dir)
        self.metadata = metadata  # kedro-viz's layer

    def _locate(self) -> Path | None:
        filename = side_file(self._name, self._kind)
        if filename is None:
            return None
        local = self._raw_dir / filename
        if local.is_file():
            return local
        ratings = embedded_file(self._name)
        embedded = ratings.with_name(filename) if ratings is not None else None
        return embedded if embedded is not None and embedded.is_file() else None

    def load(self) -> pd.DataFrame:
        dataset_spec(self._name)  # an unknown name: the one-line error of the ratings
        generated = synthetic_config_for(self._name)
        if generated is not None:
            sizes = (int(generated.n_users or 0), int(generated.n_items or 0), generated.seed)
            return generated_side_tables(*sizes)[self._kind]
        path = self._locate()
        if path is None:
            return empty_side_table(self._kind)
        with path.open("rb") as stream:
            return PARSERS[self._kind](stream, str(path))

    def save(self, data: None) -> None:
        raise DatasetError("RawSideTableDataset is read-only")

    def _exists(self) -> bool:
        return True  # a dataset without the file has an empty table

    def _describe(self) -> dict[str, Any]:
        return {"dataset": self._name, "kind": self._kind, "raw_dir": str(self._raw_dir)}
