"""Download a raw file once, with a progress bar and a size check, atomically."""

from __future__ import annotations

import io
import logging
import zipfile
from pathlib import Path

import requests
from tqdm.auto import tqdm

from recunlearn.errors import DatasetUnavailableError

logger = logging.getLogger(__name__)
CHUNK = 1 << 20


def _fetch(url: str, timeout: float) -> bytes:
    """The response body; raises if the byte count differs from Content-Length."""
    with requests.get(url, stream=True, timeout=timeout) as response:
        response.raise_for_status()
        expected = int(response.headers.get("Content-Length", 0)) or None
        buffer = io.BytesIO()
        with tqdm(total=expected, unit="B", unit_scale=True, desc=url.rsplit("/", 1)[-1]) as bar:
            for chunk in response.iter_content(CHUNK):
                buffer.write(chunk)
                bar.update(len(chunk))
    body = buffer.getvalue()
    if expected is not None and len(body) != expected:
        raise OSError(f"size check failed: got {len(body)} bytes, expected {expected}")
    return body


def _member(body: bytes, member: str, url: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        if member not in archive.namelist():
            raise OSError(f"archive {url} has no member {member!r}")
        return archive.read(member)


def download_raw_file(url: str, target: Path, member: str | None, timeout: float = 60.0) -> Path:
    """Fetch ``url`` (or ``member`` of the zip at ``url``) to ``target``.

    The file appears under its final name only when complete and size-checked,
    so an interrupted download never leaves a truncated raw file behind.

    Raises:
        DatasetUnavailableError: saying which file to put where, when offline or
            when the download fails its checks.
    """
    logger.info("Downloading %s to %s", url, target)
    try:
        body = _fetch(url, timeout)
        content = _member(body, member, url) if member else body
    except (requests.RequestException, OSError, zipfile.BadZipFile) as error:
        what = f"{member!r} from the archive at {url}" if member else url
        raise DatasetUnavailableError(
            f"raw file {target} is absent and the download failed ({error}). "
            f"Download {what} yourself and save it as {target}."
        ) from error
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(content)
    partial.replace(target)
    return target
