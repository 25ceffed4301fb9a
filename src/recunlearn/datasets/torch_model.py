"""A versioned Kedro dataset for models stored as ``{"config", "state_dict"}``."""

from __future__ import annotations

import pickle
from pathlib import PurePosixPath
from typing import Any

import fsspec
from kedro.io import AbstractVersionedDataset, Version
from kedro.io.core import get_filepath_str, get_protocol_and_path

from recunlearn.errors import DataValidationError, brief

PAYLOAD_KEYS = {"config", "state_dict"}


def read_payload(stream: Any, source: str) -> Any:
    """``torch.load`` with ``weights_only=True``; one line naming ``source`` on failure.

    Raises:
        DataValidationError: the file holds pickled objects other than tensors and
            plain values, or is truncated or not a torch file at all.
    """
    import torch  # imported when a model is read, not when the catalog is built

    try:
        return torch.load(stream, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        if "Weights only load failed" in str(error):
            raise DataValidationError(
                f"{source}: refused, it holds pickled objects other than tensors and plain "
                "values (loaded with torch.load(weights_only=True))"
            ) from error
        raise DataValidationError(f"{source}: not a torch file ({brief(error)})") from error
    except Exception as error:  # noqa: BLE001 - torch raises many types for a bad file
        raise DataValidationError(
            f"{source}: truncated or not a torch file ({brief(error)})"
        ) from error


def check_payload(payload: Any, source: str) -> dict[str, Any]:
    """``payload`` when it is ``{"config": dict, "state_dict": {str: Tensor}}``.

    Raises:
        DataValidationError: naming ``source`` and what is out of place.
    """

    if not isinstance(payload, dict) or set(payload) != PAYLOAD_KEYS:
        found = sorted(map(str, payload)) if isinstance(payload, dict) else type(payload).__name__
        raise DataValidationError(
            f"{source}: expected a dict with keys 'config' and 'state_dict', found {found}"
        )
    if not isinstance(payload["config"], dict):
        raise DataValidationError(f"{source}: 'config' is not a dict")
    state = payload["state_dict"]
    if not isinstance(state, dict):
        raise DataValidationError(f"{source}: 'state_dict' is not a dict")
    bad = [k for k, v in state.items() if not (isinstance(k, str) and tensor_tree(v))]
    if bad:
        raise DataValidationError(
            f"{source}: 'state_dict' entry {bad[0]!r} is not a named tensor (or nested "
            "lists and dicts of tensors)"
        )
    return payload


def tensor_tree(value: Any) -> bool:
    """Whether ``value`` is a tensor, or lists and dicts (string keys) of tensor trees:
    a model's state dict, or a prepared state's nested members."""
    import torch

    if torch.is_tensor(value):
        return True
    if isinstance(value, dict):
        return all(isinstance(k, str) and tensor_tree(v) for k, v in value.items())
    return isinstance(value, list | tuple) and all(tensor_tree(v) for v in value)


class TorchModelDataset(AbstractVersionedDataset[dict[str, Any], dict[str, Any]]):
    """Saves ``{"config": dict, "state_dict": dict}`` with ``torch.save``.

    Loading uses ``weights_only=True``, so a model file can hold tensors and plain
    values only, never pickled code; a truncated file, a hostile pickle or a payload of
    another layout is one :class:`~recunlearn.errors.DataValidationError` line naming
    the file.
    """

    def __init__(
        self,
        filepath: str,
        version: Version | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self.metadata = metadata  # kedro-viz's layer
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
        with self._fs.open(path, "rb") as stream:
            return check_payload(read_payload(stream, path), path)

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
