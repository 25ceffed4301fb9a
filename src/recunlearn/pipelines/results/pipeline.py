"""Results: ``bmk_seeds_raw``, ``bmk_seeds_machine``, ``paper_values`` -> ``results_seeds_page``
(``docs/results/seeds_<protocol>.md``); where ``stream.enabled`` (``--env stream``), also
``rpt_stream_machine`` and each backbone's stream tables -> ``results_stream_page``
(``docs/results/stream.md``); and the cost benchmarks' tables and machine records
(``cost_bmk_<name>``: optional, read from where each benchmark writes them whatever the
environment) -> ``results_cost_page`` (``docs/results/cost.md``). Not part of
``__default__``: it reads what ``benchmarks/seeds.py``, the stream run or the cost
benchmarks wrote (``kedro run --pipelines=results [--env <protocol>]``;
``--nodes=write_stream_page`` or ``--nodes=write_cost_page`` for one page alone)."""

from kedro.pipeline import Node, Pipeline

from recunlearn.grid import GridConfig
from recunlearn.pipelines.results.nodes import (
    write_cost_page,
    write_seeds_page,
    write_stream_page,
)
from recunlearn.report.cost_page import SECTIONS
from recunlearn.unlearning.stream_config import StreamConfig


def stream_page_node(backbones: list[str]) -> Node:
    tables = [
        f"rpt_stream_table_{table}_{backbone}"
        for backbone in backbones
        for table in ("metrics", "amortised")
    ]
    return Node(
        write_stream_page,
        ["rpt_stream_machine", "params:stream", "params:dataset", *tables],
        "results_stream_page",
        name="write_stream_page",
    )


def cost_page_node() -> Node:
    """Each cost benchmark's table and machine record, as optional catalog entries."""
    inputs = [f"cost_{name}" for section in SECTIONS for name in (section.dataset, section.machine)]
    return Node(write_cost_page, inputs, "results_cost_page", name="write_cost_page")


def create_pipeline(
    grid: GridConfig | None = None, stream: StreamConfig | None = None, **kwargs
) -> Pipeline:
    seeds = Node(
        write_seeds_page,
        ["bmk_seeds_raw", "bmk_seeds_machine", "paper_values"],
        "results_seeds_page",
        name="write_seeds_page",
    )
    pages = [seeds, cost_page_node()]
    if grid is None or stream is None or not stream.enabled:
        return Pipeline(pages)
    return Pipeline([*pages, stream_page_node(list(grid.backbones))])
