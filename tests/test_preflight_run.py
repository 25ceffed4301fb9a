"""``kedro run`` refuses what the data or the machine cannot hold in one line, writing nothing.

Each test runs the project's real ``kedro run --env test`` in a scratch copy with a
tiny raw file (40 users, 30 items, 600 ratings: 360 training rows after the 60/20/20
split) and checks the exit status, the two lines on stderr and that no file under
``data/`` changed (paths, sizes, modification times and contents).
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest
import torch

from recunlearn.models import build_backbone, model_payload
from recunlearn.models.config import TrainConfig
from tests.conftest import checkerboard
from tests.test_run import copy_project, kedro_run, write_tiny_ratings

VERSION = "2026-01-01T00.00.00.000Z"
HINT = "(run with --verbose for the full traceback)"


def snapshot(project: Path) -> dict[str, tuple[int, int, str]]:
    """Every file under ``data/``: (size, mtime in ns, SHA-256)."""
    files = sorted(p for p in (project / "data").rglob("*") if p.is_file())
    return {
        str(p.relative_to(project)): (
            p.stat().st_size,
            p.stat().st_mtime_ns,
            hashlib.sha256(p.read_bytes()).hexdigest(),
        )
        for p in files
    }


def refusal(project: Path, *args: str) -> str:
    """The one-line message of a refused run, after checking that nothing was written."""
    before = snapshot(project)
    result = kedro_run(project, *args)
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and lines[1] == HINT, result.stderr[-3000:]
    assert "Traceback" not in result.stdout
    assert snapshot(project) == before
    return lines[0].removeprefix("Error: ")


def saved(project: Path, relative: str, content: bytes) -> Path:
    """``content`` as version VERSION of the versioned file ``data/<relative>``."""
    path = project / "data" / relative / VERSION / Path(relative).name
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    return path


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The tiny raw file and one saved training split, nothing else."""
    root = copy_project(tmp_path_factory.mktemp("preflight"))
    write_tiny_ratings(root / "data" / "01_raw" / "ratings.dat")
    saved(root, "03_primary/train.csv", b"user,item,rating,timestamp,label\n0,0,5.0,1.0,1\n")
    return root


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("--pipelines", "ingestion,poisoning", "--params", "poisoning.kind=private"),
            "parameter 'poisoning.n_users' must be in [1, 40] (users with at least 2 positive "
            "training rows), got 64",
        ),
        (
            ("--pipelines", "ingestion,poisoning,grouping", "--params", "grouping.n_groups=41"),
            "parameter 'grouping.n_groups' must be in [1, 40] (the number of users), got 41",
        ),
        (
            ("--params", "unlearning.sisa.shards=100000"),
            "parameter 'unlearning.sisa.shards' (100000) exceeds the 360 interaction points "
            "of D to partition",
        ),
        (
            ("--params", "unlearning.receraser.shards=41,unlearning.receraser.partition=user"),
            "parameter 'unlearning.receraser.shards' (41) exceeds the 40 user points of D "
            "to partition",
        ),
    ],
    ids=["n_users", "n_groups", "sisa_shards", "receraser_shards"],
)
def test_a_value_the_data_cannot_hold_is_refused_before_any_write(project, args, expected):
    assert refusal(project, *args) == expected


def test_cuda_where_there_is_none_is_refused_before_any_write(project):
    if torch.cuda.is_available():
        pytest.skip("CUDA is available here")
    assert refusal(project, "--params", "runtime.device=cuda") == (
        "parameter 'runtime.device' is 'cuda' but CUDA is not available"
    )


def test_a_split_that_leaves_validation_empty_is_refused_before_any_write(tmp_path):
    root = copy_project(tmp_path)
    write_tiny_ratings(root / "data" / "01_raw" / "ratings.dat")
    conf = root / "conf" / "test" / "parameters_ingestion.yml"
    conf.write_text(conf.read_text() + "  split:\n    fractions: [0.999, 0.0005, 0.0005]\n")
    assert refusal(root, "--pipelines", "ingestion") == (
        "parameter 'ingestion.split.fractions'=[0.999, 0.0005, 0.0005] leaves the valid split "
        "empty on the 600 rows left by ingestion.k_core (strategy='random'; cold rows "
        "dropped): change the shares or lower ingestion.k_core"
    )


def test_a_k_core_that_leaves_too_few_rows_to_split_is_refused_before_any_write(tmp_path):
    """A 2 x 2 block and 30 single ratings: the 2-core keeps the 4 block rows only."""
    root = copy_project(tmp_path)
    block = [f"{u}::{i}::5::{978300000 + 10 * u + i}" for u in (1, 2) for i in (1, 2)]
    single = [f"{100 + j}::{200 + j}::4::{978400000 + j}" for j in range(30)]
    raw = root / "data" / "01_raw" / "ratings.dat"
    raw.parent.mkdir(parents=True)
    raw.write_text("\n".join(block + single) + "\n")
    assert refusal(root, "--pipelines", "ingestion", "--params", "ingestion.k_core=2") == (
        "parameter 'ingestion.split.fractions'=[0.6, 0.2, 0.2] leaves the valid split "
        "empty on the 4 rows left by ingestion.k_core (strategy='random'; cold rows "
        "dropped): change the shares or lower ingestion.k_core"
    )


def test_an_unknown_namespace_lists_the_valid_ones(project):
    message = refusal(project, "--namespaces", "mf.ifru,foo")
    assert message.startswith("--namespaces: unknown namespace(s) foo; valid namespaces: ")
    assert {"mf", "mf.ifru", "lightgcn.sisa"} <= set(message.split(": ")[-1].split(", "))


def test_a_version_never_saved_names_the_dataset_and_its_latest(project):
    message = refusal(
        project, "--pipelines", "poisoning", "--load-versions", "prm_train:2020-01-01T00.00.00.000Z"
    )
    assert message == (
        "--load-versions prm_train:2020-01-01T00.00.00.000Z: dataset prm_train has no such "
        f"version under {project}/data/03_primary/train.csv; latest versions: {VERSION}"
    )


def test_a_bad_raw_row_is_named_by_its_file_line_before_any_write(tmp_path):
    root = copy_project(tmp_path)
    raw = root / "data" / "01_raw" / "ratings.dat"
    write_tiny_ratings(raw)
    lines = raw.read_text().splitlines()
    lines[6] = "7::3::x::978300006"  # line 7 of the file
    raw.write_text("\n".join(lines) + "\n")
    assert refusal(root, "--pipelines", "ingestion") == (
        "dataset raw_ratings: data/01_raw/ratings.dat: line 7: column 'Rating' is not a "
        "number (got 'x')"
    )


class Evil:
    def __reduce__(self):
        return (os.system, ("touch PWNED",))


def torch_bytes(payload) -> bytes:
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    return buffer.getvalue()


def mf_payload(n_users: int = 40) -> dict:
    config = TrainConfig(embedding_dim=8, init_std=0.1)
    return model_payload(build_backbone("mf", n_users, 30, config, checkerboard()))


def misshapen() -> bytes:
    payload = mf_payload()
    payload["state_dict"]["user_embedding"] = torch.zeros(41, 8)
    return torch_bytes(payload)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (
            lambda: torch_bytes(mf_payload())[:500],
            "truncated or not a torch file (RuntimeError: PytorchStreamReader failed reading "
            "zip archive: failed finding central directory)",
        ),
        (
            lambda: torch_bytes({"config": {}, "state_dict": {"x": Evil()}}),
            "refused, it holds pickled objects other than tensors and plain values (loaded "
            "with torch.load(weights_only=True))",
        ),
        (
            misshapen,
            "its tensors do not fit the model its config describes (RuntimeError: Error(s) in "
            "loading state_dict for MatrixFactorization: size mismatch for user_embedding: "
            "copying a param with shape torch.Size([41, 8]) from checkpoint, the shape in "
            "current model is torch.Size([40, 8]).)",
        ),
    ],
    ids=["truncated", "hostile_pickle", "wrong_shapes"],
)
def test_a_bad_model_file_is_named_before_any_write(tmp_path, content, problem):
    root = copy_project(tmp_path)
    path = saved(root, "06_models/mf/original.pt", content())
    message = refusal(root, "--pipelines", "unlearning", "--namespaces", "mf.retrain")
    assert message == f"dataset mf.original.model: {path}: {problem}"
    assert not (root / "PWNED").exists()


def test_bad_tuned_parameters_are_named_before_any_write(tmp_path):
    root = copy_project(tmp_path)
    path = saved(root, "07_model_output/mf/tuning_best_params.json", b'{"lr": 0.01')
    message = refusal(root, "--pipelines", "training", "--namespaces", "mf")
    assert message == (
        f"dataset mf.tuning.best_params: {path}: not valid JSON (JSONDecodeError: Expecting "
        "',' delimiter: line 1 column 12 (char 11))"
    )
