"""The stream run's machine record: run id, device, threads, date, commit, load average."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pandas as pd

from recunlearn.pipelines.stream.machine import git_commit, load_at_start, record_machine
from recunlearn.runtime import RuntimeConfig
from tests.report.test_stream_page import amortised

ROOT = Path(__file__).resolve().parents[3]
LOAD = r"\d+\.\d\d / \d+\.\d\d / \d+\.\d\d"


def test_the_record_is_one_row_naming_the_run_and_the_load_at_both_ends(monkeypatch):
    monkeypatch.chdir(ROOT)
    runtime = RuntimeConfig(device="cpu", threads=2)
    session = {"session_id": "2026-12-06T03.00.00.000Z", "versions": {}}
    assert re.fullmatch(LOAD, load_at_start())
    before = "9.99 / 9.99 / 9.99"  # as load_at_start gave it when the run began
    frame = record_machine(session, runtime, "ml-100k", before, amortised("mf"), amortised("x"))
    assert isinstance(frame, pd.DataFrame) and len(frame) == 1
    record = frame.iloc[0]
    assert record["run_id"] == "2026-12-06T03.00.00.000Z" and record["threads"] == 2
    assert record["stream_seconds"] == 2 * (2.0 + 4.0 + 8.0)
    assert re.fullmatch(f"{LOAD} at the start, {LOAD} at the end", record["load_average"])
    assert record["load_average"].startswith(before)
    assert record["device"].startswith("cpu (")
    assert record["executor"] == f"{runtime.executor} ({runtime.workers} workers)"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", record["date"])
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True)
    assert record["commit"].split()[0] == head.stdout.decode().strip()


def test_outside_a_git_checkout_the_commit_is_unknown(tmp_path):
    assert git_commit(tmp_path) == "unknown"
