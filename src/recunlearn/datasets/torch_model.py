"""A versioned Kedro dataset for models stored as ``{"config", "state_dict"}``."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

import fsspec
from kedro.io import AbstractVersionedDataset, Version
from kedro.io.core import get_filepath_str, get_protocol_and_path


class TorchModelDataset(AbstractVersionedDataset[dict[str, Any], dict[str, Any]]):
    """Saves ``{"config": dict, "state_dict": dict}`` with ``torch.save``.

    Loading uses ``weights_only=True``, so a model file can hold tensors and plain
    values only, never pickled code.
    """

    def __init__(self, filepath: str, version: Version | None = None) -> None:
        protocol, path = get_protocol_and_path(filepath, version)
        self._protocol = protocol
        self._fs = fsspec.filesystem(protocol)
        super().__init__(
            filepath=PurePosixPath(path),
            version=version,
            exists_function=self._fs.exists,
            glob_function=self._fs.glob,
        )

    def load(self) -> dict[str, Any]:
        path = get_filepath_str(self._get_load_path(), self._protocol)
        import torch  # imported when a model is read, not when the catalog is built

        with self._fs.open(path, "rb") as stream:
            return torch.load(stream, map_location="cpu", weights_only=True)

    def save(self, data: dict[str, Any]) -> None:
        if set(data) != {"config", "state_dict"}:
            raise ValueError("TorchModelDataset saves a dict with keys 'config' and 'state_dict'")
        import torch

        path = get_filepath_str(self._get_save_path(), self._protocol)
        self._fs.makedirs(str(PurePosixPath(path).parent), exist_ok=True)
        with self._fs.open(path, "wb") as stream:
            torch.save({"config": data["config"], "state_dict": data["state_dict"]}, stream)
        self._invalidate_cache()

    def _invalidate_cache(self) -> None:
        self._fs.invalidate_cache(get_filepath_str(self._filepath, self._protocol))

    def _exists(self) -> bool:
        try:
            path = get_filepath_str(self._get_load_path(), self._protocol)
        except Exception:  # noqa: BLE001 - no version saved yet
            return False
        return self._fs.exists(path)

    def _describe(self) -> dict[str, Any]:
        return {"filepath": str(self._filepath), "version": self._version}
