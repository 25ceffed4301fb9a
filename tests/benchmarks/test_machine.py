"""benchmarks/machine.py: the one-row machine record the results pages print."""

from __future__ import annotations

import subprocess

import pytest

from .conftest import BENCHMARKS


@pytest.fixture(scope="module")
def machine():
    import machine

    return machine


def test_the_record_is_one_row_naming_the_command_commit_and_load(machine):
    started = {"commit": "abc1234", "load_before": "0.10 / 0.20 / 0.30"}
    table = machine.machine_table("exact.py", ["--repeats", "1"], "cpu", 1, started)
    assert len(table) == 1
    row = table.iloc[0]
    assert row["command"] == "`python benchmarks/exact.py --repeats 1`"
    assert (row["device"], row["threads"]) == ("cpu", 1)
    assert row["commit"] == "abc1234"  # the commit at the start, not at the end
    assert row["load_average"].startswith("0.10 / 0.20 / 0.30 at the start, ")
    assert row["date"].endswith(" UTC")


def test_the_start_names_this_checkouts_commit(machine):
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=BENCHMARKS, capture_output=True, text=True
    ).stdout.strip()
    assert machine.start()["commit"].split(" ")[0] == head
