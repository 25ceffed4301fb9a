"""Raw-file resolution: local file, the embedded ML-100K, and download over local HTTP."""

from __future__ import annotations

import functools
import http.server
import io
import socket
import threading
import zipfile
from pathlib import Path

import pytest
from kedro.io import DatasetError

from recunlearn.datasets.raw_ratings import RawRatingsDataset, embedded_file
from recunlearn.errors import DatasetUnavailableError, DataValidationError, ParameterError

RATINGS = "1::10::5::100\n1::11::3::101\n2::10::4::102\n"


@pytest.fixture
def http_root(tmp_path):
    """A static HTTP server on 127.0.0.1 serving ``tmp_path / 'www'``."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def zip_bytes(member: str, text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(member, text)
    return buffer.getvalue()


def load_failure(dataset: RawRatingsDataset) -> BaseException:
    """The project's own error behind Kedro's DatasetError wrapper."""
    with pytest.raises(DatasetError) as error:
        dataset.load()
    return error.value.__cause__


def test_local_raw_file_is_used(tmp_path):
    (tmp_path / "ratings.dat").write_text(RATINGS)
    frame = RawRatingsDataset("ml-1m", str(tmp_path)).load()
    assert len(frame) == 3 and frame.attrs["dataset"] == "ml-1m"


def test_missing_file_is_downloaded_once_from_the_archive(tmp_path, http_root):
    root, base = http_root
    (root / "ml-1m.zip").write_bytes(zip_bytes("ml-1m/ratings.dat", RATINGS))
    raw_dir = tmp_path / "raw"
    dataset = RawRatingsDataset("ml-1m", str(raw_dir), url=f"{base}/ml-1m.zip")
    assert len(dataset.load()) == 3
    assert (raw_dir / "ratings.dat").read_text() == RATINGS
    (root / "ml-1m.zip").unlink()  # a second load must not need the network
    assert len(dataset.load()) == 3
    assert not list(raw_dir.glob("*.part"))


def test_plain_file_download(tmp_path, http_root):
    root, base = http_root
    (root / "ratings_Electronics.csv").write_text("u1,i1,5.0,1\nu2,i1,2.0,2\n")
    frame = RawRatingsDataset(
        "amazon-electronics", str(tmp_path), url=f"{base}/ratings_Electronics.csv"
    ).load()
    assert frame["user"].tolist() == ["u1", "u2"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_offline_says_which_file_to_put_where(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/ml-1m.zip"
    cause = load_failure(RawRatingsDataset("ml-1m", str(tmp_path), url=url, timeout=2))
    assert isinstance(cause, DatasetUnavailableError)
    assert "'ml-1m/ratings.dat'" in str(cause) and f"save it as {tmp_path / 'ratings.dat'}" in str(
        cause
    )
    assert not list(Path(tmp_path).iterdir())  # nothing half-written


def test_archive_without_the_member_is_an_error(tmp_path, http_root):
    root, base = http_root
    (root / "bad.zip").write_bytes(zip_bytes("other.txt", "x"))
    cause = load_failure(RawRatingsDataset("ml-1m", str(tmp_path), url=f"{base}/bad.zip"))
    assert isinstance(cause, DatasetUnavailableError) and "no member" in str(cause)


def test_unknown_dataset_is_a_parameter_error(tmp_path):
    cause = load_failure(RawRatingsDataset("netflix", str(tmp_path)))
    assert isinstance(cause, ParameterError) and "parameter 'dataset'" in str(cause)


@pytest.mark.skipif(embedded_file("ml-100k") is None, reason="recbole wheel not installed")
def test_embedded_movielens_100k_is_the_real_one(tmp_path):
    frame = RawRatingsDataset("ml-100k", str(tmp_path)).load()
    assert len(frame) == 100_000
    assert frame["user"].nunique() == 943 and frame["item"].nunique() == 1682


def test_a_header_only_raw_file_is_refused_naming_its_path(tmp_path):
    raw = tmp_path / "ml-100k.inter"
    raw.write_text("user_id:token\titem_id:token\trating:float\ttimestamp:float\n")
    cause = load_failure(RawRatingsDataset("ml-100k", str(tmp_path)))
    assert isinstance(cause, DataValidationError)
    assert str(cause) == f"{raw}: no data rows, only a header"
