"""Stream: K deletion requests answered one after another by every (backbone, method).

::

    prm_train ─> make_request_stream ─> stream_requests
    stream_requests ─┬─> {b}.stream.{method}.answer ─> request_log, model_at_{c} (each c)
                     ├─> {b}.stream.retrain_at_{c} ─> retrain.model_at_{c}, retrain.log_at_{c}
                     └─> {b}.stream.retrain_star_at_{K}   (the noise reference)
    all of them ─> {b}.stream.evaluate ─> rpt_stream_table_{metrics,amortised,cost}_{b}
                ─> build_stream_report ─> rpt_stream_html, rpt_stream_plot_{drift,time}_{b}
    load_at_start, run_provenance, rpt_stream_table_amortised_{b} ─> record_machine
                ─> rpt_stream_machine   (read by the results page, docs/results/stream.md)

One node per (backbone, method) answers the whole stream: the method is prepared once
and carries its state from request to request (``unlearn_stream``). The models at the
checkpoints are written through a **dataset factory** (``{backbone}.stream.{method}.
model_at_{count}``), not a partitioned dataset: each checkpoint model is then its own
versioned dataset (Kedro's PartitionedDataset cannot be versioned, and versioned outputs
are never overwritten here), kedro-viz shows it, the evaluation node names exactly the
models it reads, and ``--only-missing-outputs`` sees each one. The matched retrains are
nodes of their own (namespace ``{backbone}.stream``), so ``--namespaces`` selects them.
"""

from __future__ import annotations

from kedro.pipeline import Node, Pipeline

from recunlearn.grid import GridConfig
from recunlearn.pipelines.grid import methods_on
from recunlearn.pipelines.node_binding import bound
from recunlearn.pipelines.stream.machine import load_at_start, record_machine
from recunlearn.pipelines.stream.nodes import (
    RETRAINS,
    answer_stream,
    evaluate_stream,
    make_request_stream,
    retrain_at,
)
from recunlearn.report.stream_section import build_stream_report
from recunlearn.unlearning import METHOD_SPECS
from recunlearn.unlearning.stream_config import StreamConfig

GROUP_INPUTS = ["grp_user_groups", "grp_cohesion"]
TABLES = ("metrics", "amortised", "cost")
"""Per backbone, in this order: ``evaluate_stream``'s outputs, ``build_stream_report``'s inputs."""
FIGS = ("drift", "time")


def _answer(backbone: str, method: str, counts: list[int]) -> Node:
    inputs = [
        f"{backbone}.original.model",
        "stream_requests",
        "prm_valid",
        f"params:unlearning.{method}",
        f"{backbone}.original.train_config",
        "params:seed",
        "params:runtime",
        "params:stream",
    ]
    if METHOD_SPECS[method].needs_groups:
        inputs += GROUP_INPUTS
    prefix = f"{backbone}.stream.{method}"
    return Node(
        bound(answer_stream, method=method),
        inputs,
        [f"{prefix}.request_log", *(f"{prefix}.model_at_{c}" for c in counts)],
        name=f"{method}.answer",
        namespace=f"{backbone}.stream",
    )


def _retrain(backbone: str, method: str, count: int) -> Node:
    prefix = f"{backbone}.stream.{method}"
    return Node(
        bound(retrain_at, method=method, count=count),
        [
            f"{backbone}.original.model",
            "stream_requests",
            "prm_valid",
            f"{backbone}.original.train_config",
            "params:seed",
            "params:runtime",
        ],
        [f"{prefix}.model_at_{count}", f"{prefix}.log_at_{count}"],
        name=f"{method}_at_{count}",
        namespace=f"{backbone}.stream",
    )


def _checkpoint_models(backbone: str, methods: list[str], counts: list[int]) -> dict[str, str]:
    """``model__<method>__<count>`` inputs of the evaluation (Retrain* at the last only)."""
    cells = [(m, c) for m in methods if m not in RETRAINS for c in counts]
    cells += [("retrain", c) for c in counts]
    if "retrain_star" in methods:
        cells.append(("retrain_star", counts[-1]))
    return {f"model__{m}__{c}": f"{backbone}.stream.{m}.model_at_{c}" for m, c in cells}


def backbone_stream(backbone: str, methods: list[str], counts: list[int]) -> Pipeline:
    """The stream of one backbone: its answers, matched retrains and evaluation."""
    answering = [m for m in methods if m not in RETRAINS]
    retrains = [_retrain(backbone, "retrain", c) for c in counts]
    if "retrain_star" in methods:
        retrains.append(_retrain(backbone, "retrain_star", counts[-1]))
    inputs = {
        "original": f"{backbone}.original.model",
        "table": "stream_requests",
        "test": "prm_test",
        "evaluation": "params:evaluation",
        "audits": "params:audits",
        "seed": "params:seed",
        "runtime": "params:runtime",
        "stream": "params:stream",
        **_checkpoint_models(backbone, methods, counts),
        **{f"log__{m}": f"{backbone}.stream.{m}.request_log" for m in answering},
        **{f"retrain_log__retrain__{c}": f"{backbone}.stream.retrain.log_at_{c}" for c in counts},
    }
    evaluate = Node(
        bound(evaluate_stream, backbone=backbone),
        inputs,
        [f"rpt_stream_table_{table}_{backbone}" for table in TABLES],
        name="evaluate",
        namespace=f"{backbone}.stream",
    )
    return Pipeline([*(_answer(backbone, m, counts) for m in answering), *retrains, evaluate])


def stream_tables(backbones: list[str]) -> list[str]:
    """Every backbone's tables (``TABLES``, in order): the stream section's inputs."""
    return [f"rpt_stream_table_{table}_{backbone}" for backbone in backbones for table in TABLES]


def create_pipeline(grid: GridConfig, stream: StreamConfig | None = None, **kwargs) -> Pipeline:
    counts = (stream or StreamConfig()).checkpoint_counts()
    draw = Node(
        make_request_stream,
        ["prm_train", "int_interactions", "params:stream", "params:seed"],
        "stream_requests",
        name="make_request_stream",
    )
    per_backbone = [backbone_stream(b, methods_on(b, grid.methods), counts) for b in grid.backbones]
    report = Node(
        build_stream_report,
        stream_tables(grid.backbones),
        ["rpt_stream_html", *(f"rpt_stream_plot_{f}_{b}" for b in grid.backbones for f in FIGS)],
        name="build_stream_report",
    )
    amortised = [f"rpt_stream_table_amortised_{b}" for b in grid.backbones]
    machine = [
        Node(load_at_start, None, "stream_load_at_start", name="load_at_start"),
        Node(
            record_machine,
            ["run_provenance", "params:runtime", "params:dataset", "stream_load_at_start"]
            + amortised,
            "rpt_stream_machine",
            name="record_machine",
        ),
    ]
    return Pipeline([draw, *per_backbone, report, *machine])
