"""Where and how a benchmark ran: the one-row ``bmk_<name>_machine`` table that the
results pages print beside its numbers (command, device, threads, date, commit, load)."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path

import kedro_runs
import pandas as pd


def git_output(*args: str, project: Path = kedro_runs.PROJECT) -> str:
    """``git args`` in ``project``, its output stripped (empty where git fails)."""
    run = subprocess.run(["git", *args], cwd=project, capture_output=True, text=True)
    return run.stdout.strip()


def load_average() -> str:
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())


def commit(project: Path = kedro_runs.PROJECT) -> str:
    """``project``'s short commit, marked where tracked files differ from it."""
    head = git_output("rev-parse", "--short", "HEAD", project=project)
    dirty = git_output("status", "--porcelain", "--untracked-files=no", project=project)
    return (head or "unknown") + (" (uncommitted changes)" if dirty else "")


def command_line(script: str, argv: list[str] | None) -> str:
    """``python benchmarks/<script> <arguments>`` as typed (``argv``: its arguments, else
    the process's own)."""
    arguments = sys.argv[1:] if argv is None else argv
    return "`" + " ".join(["python", f"benchmarks/{script}", *arguments]) + "`"


def start() -> dict[str, str]:
    """The commit and load average as a benchmark starts (the code that runs is the code
    at the start: files edited while it runs do not mark its commit)."""
    return {"commit": commit(), "load_before": load_average()}


def machine_table(
    script: str, argv: list[str] | None, device: str, threads: int | str, started: dict[str, str]
) -> pd.DataFrame:
    """The one-row machine record of ``benchmarks/<script>``'s run, ``started`` as
    :func:`start` found it."""
    row = {
        "command": command_line(script, argv),
        "device": device,
        "threads": threads,
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": started["commit"],
        "load_average": f"{started['load_before']} at the start, {load_average()} at the end",
    }
    return pd.DataFrame([row])
