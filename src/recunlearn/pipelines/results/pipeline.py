"""Results: ``bmk_seeds_raw``, ``bmk_seeds_machine``, ``paper_values`` -> ``results_seeds_page``
(``docs/results/seeds_<protocol>.md``); where ``stream.enabled`` (``--env stream``), also
``rpt_stream_machine`` and each backbone's stream tables -> ``results_stream_page``
(``docs/results/stream.md``). Not part of ``__default__``: it reads what
``benchmarks/seeds.py`` or the stream run wrote (``kedro run --pipelines=results
[--env <protocol>]``; ``--nodes=write_stream_page`` for the stream page alone)."""

from kedro.pipeline import Node, Pipeline

from recunlearn.grid import GridConfig
from recunlearn.pipelines.results.nodes import write_seeds_page, write_stream_page
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


def create_pipeline(
    grid: GridConfig | None = None, stream: StreamConfig | None = None, **kwargs
) -> Pipeline:
    seeds = Node(
        write_seeds_page,
        ["bmk_seeds_raw", "bmk_seeds_machine", "paper_values"],
        "results_seeds_page",
        name="write_seeds_page",
    )
    if grid is None or stream is None or not stream.enabled:
        return Pipeline([seeds])
    return Pipeline([seeds, stream_page_node(list(grid.backbones))])
