"""benchmarks/recbole_bpr.py at toy size: the project's side for real, RecBole's side from
a stand-in interpreter (RecBole itself needs numpy < 2 and its own venv: the last test
runs it where ``RECBOLE_PYTHON`` names one)."""

from __future__ import annotations

import argparse
import os
import stat

import pytest

from recunlearn.models.config import MFConfig

from ..conftest import checkerboard

CFG = MFConfig(embedding_dim=8, init_std=0.1, lr=0.05, batch_size=32)


@pytest.fixture(scope="module")
def bench():
    import recbole_bpr

    return recbole_bpr


def stand_in(tmp_path, output: str, code: int = 0) -> str:
    """An executable that ignores its arguments, prints ``output`` and exits ``code``."""
    path = tmp_path / "python"
    path.write_text(f"#!/bin/sh\necho '{output}'\nexit {code}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def test_each_round_times_both_sides_and_the_lead_is_their_ratio_per_row(bench, tmp_path):
    rows = checkerboard(density=0.6)
    recbole = stand_in(
        tmp_path, '{"rows": 100, "seconds": [0.5, 0.9, 0.4], "recbole": "1.2.1", "threads": 1}'
    )
    args = argparse.Namespace(repeats=2, epochs=2, threads=1)
    table = bench.side_by_side(rows, (24, 18), CFG, args, recbole)
    assert table["side"].tolist() == ["recunlearn MF", "RecBole 1.2.1 BPR"] * 2
    assert table["rows_per_epoch"].tolist() == [len(rows), 100] * 2
    theirs = table[table["side"] != "recunlearn MF"]
    assert theirs["seconds_per_epoch"].tolist() == [0.5, 0.5]  # the median epoch
    ours = table[table["side"] == "recunlearn MF"]
    for (_, mine), (_, other) in zip(ours.iterrows(), theirs.iterrows(), strict=True):
        expected = (0.5 / 100) / (mine["seconds_per_epoch"] / len(rows))
        assert mine["lead"] == other["lead"] == pytest.approx(expected)


def test_a_failing_recbole_interpreter_is_named_with_its_last_line(bench, tmp_path):
    broken = stand_in(tmp_path, "ModuleNotFoundError: No module named recbole", code=1)
    args = argparse.Namespace(repeats=1, epochs=1, threads=1)
    with pytest.raises(RuntimeError, match="failed: ModuleNotFoundError: No module named"):
        bench.recbole_epochs(broken, CFG, args)


def test_without_a_recbole_interpreter_it_stops_before_any_run(bench, monkeypatch):
    import kedro_runs

    ran = []
    monkeypatch.setattr(kedro_runs, "run", lambda *a, **k: ran.append(a))
    with pytest.raises(SystemExit, match="--recbole-python is needed"):
        bench.main([])
    assert ran == []


@pytest.mark.skipif(not os.environ.get("RECBOLE_PYTHON"), reason="no RecBole venv named")
def test_recbole_trains_an_epoch_in_its_own_interpreter(bench):
    args = argparse.Namespace(repeats=1, epochs=1, threads=1)
    result = bench.recbole_epochs(os.environ["RECBOLE_PYTHON"], CFG, args)
    assert result["rows"] > 0 and len(result["seconds"]) == 1


def test_recbole_runs_outside_the_project_directory(bench, tmp_path, monkeypatch):
    """RecBole writes log folders into its working directory: not the checkout's."""
    record = tmp_path / "cwd.txt"
    path = tmp_path / "python"
    path.write_text(
        f"#!/bin/sh\npwd > {record}\n"
        'echo \'{"rows": 1, "seconds": [1.0], "recbole": "1.2.1", "threads": 1}\'\n'
    )
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    monkeypatch.chdir(tmp_path)
    bench.recbole_epochs(str(path), CFG, argparse.Namespace(epochs=1, threads=1))
    assert record.read_text().strip() not in (str(tmp_path), os.getcwd())
