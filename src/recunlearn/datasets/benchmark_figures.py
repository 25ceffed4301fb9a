"""Every benchmark figure that exists: the latest version of each ``bmk_{name}_plot`` PNG."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kedro.io import AbstractDataset, DatasetError

from recunlearn.errors import DataValidationError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def read_png(path: Path) -> bytes:
    """The bytes of the PNG at ``path``.

    Raises:
        DataValidationError: the file does not start with the PNG signature.
    """
    data = path.read_bytes()
    if not data.startswith(PNG_SIGNATURE):
        raise DataValidationError(f"{path}: not a PNG image (no PNG signature)")
    return data


class BenchmarkFiguresDataset(AbstractDataset):
    """Read-only: ``{name: {"png": bytes, "version": str}}`` for the PNGs under ``folder``.

    Benchmark scripts save their figures as versioned ``matplotlib.MatplotlibDataset``s,
    ``{folder}/{name}.png/{version}/{name}.png``; this dataset globs that layout, so a
    report can embed whichever figures exist without depending on any of them. Loads
    ``{}`` when the folder does not exist; a latest version that is not a PNG is one
    :class:`~recunlearn.errors.DataValidationError` line naming it.
    """

    def __init__(self, folder: str, metadata: dict[str, Any] | None = None) -> None:
        self._folder = Path(folder)
        self.metadata = metadata

    def load(self) -> dict[str, dict[str, Any]]:
        figures = {}
        for versions in sorted(self._folder.glob("*.png")):
            if not versions.is_dir():
                continue
            name = versions.name.removesuffix(".png")
            candidates = sorted(v for v in versions.iterdir() if (v / versions.name).is_file())
            if candidates:
                latest = candidates[-1]
                figures[name] = {"png": read_png(latest / versions.name), "version": latest.name}
        return figures

    def save(self, data: Any) -> None:
        raise DatasetError("BenchmarkFiguresDataset is read-only; benchmarks save bmk_{name}_plot")

    def _exists(self) -> bool:
        return self._folder.is_dir()

    def _describe(self) -> dict[str, Any]:
        return {"folder": str(self._folder)}
