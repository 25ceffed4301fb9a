"""The stream run's machine record (``rpt_stream_machine``), read by its results page.

Like ``benchmarks/seeds.py``'s ``bmk_seeds_machine``: where and when the stream ran, the
commit it ran from and the machine's load average at the start and the end (the run
shares its cores with whatever else runs, and the page's seconds mean little without
it). ``load_at_start`` has no input, so the runner takes it in its first batch of nodes;
``record_machine`` reads every backbone's amortised table, so it runs after the stream.
"""

from __future__ import annotations

import datetime
import os
import subprocess
from pathlib import Path
from typing import Any

import pandas as pd

from recunlearn.runtime import RuntimeConfig


def load_average() -> str:
    """The 1, 5 and 15-minute load averages, as ``2.10 / 1.95 / 1.80``."""
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())


def load_at_start() -> str:
    """The load average as the run starts (the node's output, ``stream_load_at_start``)."""
    return load_average()


def git_commit(project: Path) -> str:
    """``project``'s short commit, marked where tracked files changed; ``unknown`` outside
    a git checkout (an installed copy)."""

    def git(*args: str) -> str:
        try:
            run = subprocess.run(["git", *args], cwd=project, capture_output=True, text=True)
        except OSError:
            return ""
        return run.stdout.strip() if run.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD")
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return (commit or "unknown") + (" (uncommitted changes)" if commit and dirty else "")


def device_name(runtime: RuntimeConfig) -> str:
    """The run's device as a reader knows it: the GPU's name, or the CPU's core count."""
    import torch

    from recunlearn.runtime import resolve_device

    device = resolve_device(runtime.device)
    if device.type == "cuda":
        return f"{device} ({torch.cuda.get_device_name(device)})"
    return f"cpu ({os.cpu_count()} cores)"


def record_machine(
    session: dict[str, Any],
    runtime: RuntimeConfig,
    dataset: str,
    load_before: str,
    *amortised: pd.DataFrame,
) -> pd.DataFrame:
    """One row: the run id, dataset, device, threads, executor, date, commit, the load
    average at the start and the end, and the streams' seconds in all (``amortised``:
    every backbone's amortised table)."""
    seconds = sum(float(table["stream_seconds"].sum()) for table in amortised)
    record = {
        "run_id": str(session.get("session_id", "unknown")),
        "dataset": dataset,
        "device": device_name(runtime),
        "threads": runtime.threads,
        "executor": f"{runtime.executor} ({runtime.workers} workers)",
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git_commit(Path.cwd()),
        "load_average": f"{load_before} at the start, {load_average()} at the end",
        "stream_seconds": round(seconds, 2),
    }
    return pd.DataFrame([record])
