"""A read-only Kedro dataset for a supported dataset's official raw rating file."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path
from typing import Any

import pandas as pd
from kedro.io import AbstractDataset, DatasetError

from recunlearn.data.raw_formats import DatasetSpec, dataset_spec
from recunlearn.datasets.download import download_raw_file
from recunlearn.errors import DatasetUnavailableError

EMBEDDED = {"ml-100k": ("recbole", "recbole/dataset_example/ml-100k/ml-100k.inter")}


def embedded_file(name: str) -> Path | None:
    """Path of a dataset shipped inside an installed wheel (never imported), if any."""
    if name not in EMBEDDED:
        return None
    distribution, relative = EMBEDDED[name]
    try:
        path = Path(str(importlib.metadata.distribution(distribution).locate_file(relative)))
    except importlib.metadata.PackageNotFoundError:
        return None
    return path if path.is_file() else None


class RawRatingsDataset(AbstractDataset[None, pd.DataFrame]):
    """Loads ``dataset``'s raw file from ``raw_dir`` as the standard raw table.

    Resolution order: ``raw_dir/<official file name>``; for ML-100K the copy in the
    ``recbole`` wheel; otherwise a one-off download from the official URL (or
    ``url`` when given) into ``raw_dir``.
    """

    def __init__(
        self,
        dataset: str,
        raw_dir: str,
        url: str | None = None,
        timeout: float = 60.0,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self._name, self._raw_dir, self._url, self._timeout = dataset, Path(raw_dir), url, timeout
        self.metadata = metadata  # kedro-viz's layer

    def _locate(self, spec: DatasetSpec) -> Path:
        local = self._raw_dir / spec.filename
        if local.is_file():
            return local
        embedded = embedded_file(spec.name)
        if embedded is not None:
            return embedded
        url = self._url or spec.url
        if url is None:
            raise DatasetUnavailableError(
                f"raw file {local} is absent and {spec.name} has no download URL: "
                f"install it with `pip install --no-deps recbole==1.2.1` or put the file there"
            )
        return download_raw_file(url, local, spec.archive_member, self._timeout)

    def load(self) -> pd.DataFrame:
        spec = dataset_spec(self._name)
        if spec.generate is not None:
            frame = spec.generate()
        else:
            path = self._locate(spec)
            with path.open("rb") as stream:
                frame = spec.parse(stream, str(path))
        frame.attrs["dataset"] = spec.name
        return frame

    def save(self, data: None) -> None:
        raise DatasetError("RawRatingsDataset is read-only")

    def _exists(self) -> bool:
        """Whether :meth:`load` has a table to give: generated, on disk, embedded, or
        downloadable."""
        spec = dataset_spec(self._name)
        if spec.generate is not None or (self._raw_dir / spec.filename).is_file():
            return True
        return embedded_file(spec.name) is not None or (self._url or spec.url) is not None

    def _describe(self) -> dict[str, Any]:
        return {"dataset": self._name, "raw_dir": str(self._raw_dir), "url": self._url}
