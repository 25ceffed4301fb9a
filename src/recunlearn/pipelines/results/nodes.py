"""Results nodes: docs/results pages from the benchmarks' and the stream's catalog datasets."""

from __future__ import annotations

import pandas as pd

from recunlearn.unlearning.stream_config import StreamConfig


def one_row(machine: pd.DataFrame, name: str, whose: str) -> dict:
    """The one row of a machine record ``name``, refused by name otherwise."""
    if len(machine) != 1:
        raise ValueError(f"{name}: expected one row ({whose}), got {len(machine)}")
    return machine.iloc[0].to_dict()


def optional_row(machine: pd.DataFrame, name: str) -> dict | None:
    """The one row of an optional machine record ``name``; ``None`` before it is written."""
    return None if machine.empty else one_row(machine, name, "the benchmark's machine")


def write_cost_page(*tables: pd.DataFrame) -> str:
    """The cost page from each benchmark's (table, ``_machine`` record) pair, in the order
    of :data:`~recunlearn.report.cost_page.SECTIONS`; any of them may be empty (not run)."""
    from recunlearn.report.cost_page import SECTIONS, cost_page

    if len(tables) != 2 * len(SECTIONS):
        raise ValueError(f"write_cost_page: expected {2 * len(SECTIONS)} tables, got {len(tables)}")
    measured = {
        section.dataset: (
            tables[2 * i],
            optional_row(tables[2 * i + 1], section.machine),
        )
        for i, section in enumerate(SECTIONS)
    }
    return cost_page(measured)


def write_seeds_page(raw: pd.DataFrame, machine: pd.DataFrame, paper: pd.DataFrame) -> str:
    """The seeds benchmark's page; ``machine`` is ``bmk_seeds_machine``'s one row, and only
    the paper values of its protocol are shown."""
    from recunlearn.report.results_page import seeds_page

    record = one_row(machine, "bmk_seeds_machine", "the benchmark's machine")
    mine = paper[paper["protocol"] == record["protocol"]]
    return seeds_page(raw, record, mine)


def stream_protocol(stream: StreamConfig, dataset: str) -> str:
    """The stream's protocol in words: dataset, K, the request and the checkpoints."""
    named = {"kind": stream.request.kind, "selection": stream.request.selection}
    request = named | stream.request.model_dump(exclude_defaults=True)
    spec = ", ".join(f"{key} {value}" for key, value in request.items())
    counts = ", ".join(str(c) for c in stream.checkpoint_counts())
    return (
        f"{dataset}, K = {stream.n_requests} disjoint requests ({spec}), Retrain matched "
        f"after requests {counts}, drift measured in `{stream.drift_metric}`"
    )


def write_stream_page(
    machine: pd.DataFrame, stream: StreamConfig, dataset: str, *tables: pd.DataFrame
) -> str:
    """The stream's page from ``rpt_stream_machine``'s one row and each backbone's
    (metrics, amortised) tables, in that order."""
    from recunlearn.report.stream_page import stream_page

    record = one_row(machine, "rpt_stream_machine", "the stream run's machine")
    pairs = [
        (str(tables[i]["backbone"].iloc[0]), tables[i], tables[i + 1])
        for i in range(0, len(tables), 2)
    ]
    return stream_page(pairs, record, stream_protocol(stream, dataset))
