"""Evaluation: metrics per model (Original and every method) and one report.

Each model is evaluated in namespace ``{backbone}.evaluation.{model}``: apart from
the ``{backbone}.{model}`` namespace that trained it, because evaluating Original
needs Retrain's model and Kedro namespaces must stay contiguous. The report reads
``run_provenance`` (the run id and catalog versions, from ``ProvenanceHook``), the
seed spread of ``benchmarks/seeds.py`` when it exists and every benchmark figure
that exists.
"""

from collections.abc import Iterable

from kedro.pipeline import Node, Pipeline

from recunlearn.grid import GridConfig
from recunlearn.pipelines.evaluation.nodes import (
    build_figures,
    build_html_report,
    build_report,
    collect_metrics,
    collect_runs,
    combine_runs,
    evaluate,
)
from recunlearn.pipelines.grid import methods_on
from recunlearn.pipelines.node_binding import bound
from recunlearn.pipelines.stream.pipeline import stream_tables
from recunlearn.unlearning.stream_config import StreamConfig

REPORT_OUTPUTS = [
    "rpt_metrics",
    "rpt_completeness",
    "rpt_coefficients",
    "rpt_headline",
    "rpt_provenance",
    "rpt_report_md",
    "rpt_auc_plot",
]
FIGURES = ["rpt_auc_plotly", "rpt_completeness_plotly", "rpt_tradeoff_plotly"]


def evaluation_template() -> Pipeline:
    return Pipeline(
        [
            Node(
                evaluate,
                [
                    "model",
                    "log",
                    "reference_model",
                    "original_model",
                    "mi_train",
                    "prm_test",
                    "mi_forget",
                    "params:evaluation",
                    "params:runtime",
                ],
                "metrics",
                name="evaluate",
            )
        ]
    )


def model_names(methods: Iterable[str]) -> list[str]:
    return ["original", *methods]


def backbone_evaluation(backbone: str, names: list[str]) -> Pipeline:
    """Evaluate each of ``names`` for ``backbone``; collect ``rpt_metrics_`` / ``rpt_runs_{backbone}``."""
    per_model = sum(
        (
            Pipeline(
                evaluation_template(),
                namespace=f"{backbone}.evaluation.{name}",
                inputs={
                    "model": f"{backbone}.{name}.model",
                    "log": f"{backbone}.{name}.log",
                    "reference_model": f"{backbone}.retrain.model",
                    "original_model": f"{backbone}.original.model",
                    "mi_train": "mi_train",
                    "prm_test": "prm_test",
                    "mi_forget": "mi_forget",
                },
                parameters={
                    "params:evaluation": "params:evaluation",
                    "params:runtime": "params:runtime",
                },
            )
            for name in names
        ),
        Pipeline([]),
    )
    collect = Node(
        bound(collect_metrics, backbone=backbone),
        {name: f"{backbone}.evaluation.{name}.metrics" for name in names},
        f"rpt_metrics_{backbone}",
        name="collect_metrics",
        namespace=f"{backbone}.evaluation",
    )
    runs = Node(
        bound(collect_runs, backbone=backbone),
        {name: f"{backbone}.{name}.log" for name in names},
        f"rpt_runs_{backbone}",
        name="collect_runs",
        namespace=f"{backbone}.evaluation",
    )
    return per_model + Pipeline([collect, runs])


def report_pipeline(backbones: tuple[str, ...], stream_tables: list[str] | None = None) -> Pipeline:
    """The report over every backbone: tables, markdown, figures and the HTML page (with
    the stream section from ``stream_tables`` where given)."""
    report = Node(
        build_report,
        ["rpt_runs", "run_provenance", "rpt_seed_spread", "params:dataset", "params:seed"]
        + [f"rpt_metrics_{backbone}" for backbone in backbones],
        REPORT_OUTPUTS,
        name="build_report",
    )
    runs = Node(
        combine_runs,
        [f"rpt_runs_{backbone}" for backbone in backbones],
        "rpt_runs",
        name="combine_runs",
    )
    figures = Node(
        build_figures,
        ["rpt_metrics", "rpt_coefficients", "rpt_runs"],
        FIGURES,
        name="build_figures",
    )
    page = Node(
        build_html_report,
        [
            "rpt_metrics",
            "rpt_coefficients",
            "rpt_runs",
            "rpt_provenance",
            "rpt_benchmark_figures",
            "rpt_seed_spread",
        ]
        + FIGURES
        + ["rpt_audit_section"]
        + (stream_tables or []),
        "rpt_report_html",
        name="build_html_report",
    )
    return Pipeline([runs, report, figures, page])


def create_pipeline(grid: GridConfig, stream: StreamConfig | None = None, **kwargs) -> Pipeline:
    """Every backbone's evaluation and the report; where ``stream.enabled``, report.html
    also holds the stream section (the stream's tables become its inputs)."""
    per_backbone = (
        backbone_evaluation(b, model_names(methods_on(b, grid.methods))) for b in grid.backbones
    )
    streamed = stream_tables(grid.backbones) if stream is not None and stream.enabled else None
    return sum(per_backbone, Pipeline([])) + report_pipeline(tuple(grid.backbones), streamed)
