"""Results nodes: a docs/results page from the seeds benchmark's catalog datasets."""

from __future__ import annotations

import pandas as pd


def write_seeds_page(raw: pd.DataFrame, machine: pd.DataFrame, paper: pd.DataFrame) -> str:
    """The seeds benchmark's page; ``machine`` is ``bmk_seeds_machine``'s one row, and only
    the paper values of its protocol are shown."""
    from recunlearn.report.results_page import seeds_page

    if len(machine) != 1:
        raise ValueError(
            f"bmk_seeds_machine: expected one row (the benchmark's machine), got {len(machine)}"
        )
    record = machine.iloc[0].to_dict()
    mine = paper[paper["protocol"] == record["protocol"]]
    return seeds_page(raw, record, mine)
