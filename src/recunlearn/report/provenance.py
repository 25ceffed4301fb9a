"""Which run every number of the report comes from.

Each model log carries the ``run_id`` of the Kedro session that wrote it (Kedro's
``session_id``, a sortable UTC timestamp that is also the save version of everything
that session wrote). After an interrupted or partial run, the latest versions of the
logs can come from different runs; the report then names its run (the latest one it
read), marks every row from another run and drops speed-ups whose two times were not
measured in the same run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

UNKNOWN_RUN = "unknown"
"""The run id of a log written before run ids were recorded (or outside a session)."""
ORIGINAL_FAMILY = "before unlearning"
RUN_COLUMNS = [
    "backbone",
    "model",
    "family",
    "run_id",
    "device",
    "threads",
    "seconds",
    "prepare_seconds",
]


def runs_table(logs: Mapping[str, Mapping[str, Any]], backbone: str) -> pd.DataFrame:
    """One row per model log of ``backbone``: its family, run id, device, threads and times."""
    rows = [
        {
            "backbone": backbone,
            "model": model,
            "family": log.get("family", ORIGINAL_FAMILY if model == "original" else "other"),
            "run_id": str(log.get("run_id", UNKNOWN_RUN)),
            "device": str(log.get("device", "unknown")),
            "threads": log.get("threads"),
            "seconds": float(log.get("seconds", float("nan"))),
            "prepare_seconds": float(log.get("prepare_seconds", float("nan"))),
        }
        for model, log in logs.items()
    ]
    return pd.DataFrame(rows, columns=RUN_COLUMNS)


def report_run_id(runs: pd.DataFrame) -> str:
    """The run the report stands for: the latest recorded run id among the logs."""
    known = sorted(set(runs["run_id"]) - {UNKNOWN_RUN})
    return known[-1] if known else UNKNOWN_RUN


def other_run_rows(runs: pd.DataFrame) -> pd.DataFrame:
    """The (backbone, model, run_id) rows whose log comes from another run than the report's."""
    run_id = report_run_id(runs)
    return runs.loc[runs["run_id"] != run_id, ["backbone", "model", "run_id"]]


def same_run_as_retrain(runs: pd.DataFrame) -> set[tuple[str, str]]:
    """(backbone, model) pairs whose log comes from the same run as their backbone's Retrain."""
    retrain = runs[runs["model"] == "retrain"].set_index("backbone")["run_id"]
    same = runs[runs["backbone"].map(retrain) == runs["run_id"]]
    return set(zip(same["backbone"], same["model"], strict=True))


def drop_cross_run_speedups(tidy: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """``tidy`` without the speed-ups that divide times from two different runs."""
    same = same_run_as_retrain(runs)
    keys = list(zip(tidy["backbone"], tidy["model"], strict=True))
    cross = (tidy["metric"] == "speedup").to_numpy() & np.array(
        [k not in same for k in keys], dtype=bool
    )
    return tidy[~cross].reset_index(drop=True)


class ReportProvenance(BaseModel):
    """What the report's header states about the run it read."""

    model_config = ConfigDict(extra="forbid")

    run_id: str
    """Kedro session id of the run the models come from (the latest one read)."""
    report_session: str
    """Kedro session id of the run that wrote the report."""
    dataset: str
    """The ``dataset`` parameter."""
    seed: int
    """The ``seed`` parameter."""
    devices: list[str]
    """Devices the models were trained or unlearned on, as their logs record."""
    threads: list[int]
    """Torch CPU thread counts the logs record."""
    versions: dict[str, str]
    """Catalog version of every versioned dataset the run loaded, by dataset name."""
    other_runs: list[str]
    """``backbone.model (run id)`` of every row that comes from another run."""


def describe_run(
    runs: pd.DataFrame, session: Mapping[str, Any], dataset: str, seed: int
) -> ReportProvenance:
    """The header of a report over ``runs``, read in the Kedro ``session`` described."""
    others = other_run_rows(runs)
    return ReportProvenance(
        run_id=report_run_id(runs),
        report_session=str(session.get("session_id", UNKNOWN_RUN)),
        dataset=dataset,
        seed=int(seed),
        devices=sorted(set(runs["device"])),
        threads=sorted({int(t) for t in runs["threads"].dropna()}),
        versions={str(k): str(v) for k, v in sorted(session.get("versions", {}).items())},
        other_runs=[f"{b}.{m} ({r})" for b, m, r in others.itertuples(index=False)],
    )


def provenance_markdown(provenance: ReportProvenance) -> list[str]:
    """The report's header lines (markdown)."""
    p = provenance
    lines = [
        f"- **run id**: `{p.run_id}` (report written by session `{p.report_session}`)",
        f"- **dataset**: {p.dataset}; **seed**: {p.seed}",
        f"- **device**: {', '.join(p.devices)}; **threads**: "
        + ", ".join(str(t) for t in p.threads),
    ]
    if p.other_runs:
        lines.append(
            "- **rows from other runs** (marked †; no speed-up against another run's "
            "Retrain): " + ", ".join(p.other_runs)
        )
    else:
        lines.append("- every row comes from this run")
    if p.versions:
        lines += ["", "<details><summary>Catalog versions read</summary>", ""]
        lines += ["| dataset | version |", "| --- | --- |"]
        lines += [f"| `{name}` | `{version}` |" for name, version in p.versions.items()]
        lines += ["", "</details>"]
    return lines
