"""Evaluation: metrics per model (Original and every method) and one report.

Each model is evaluated in namespace ``{backbone}.evaluation.{model}``: apart from
the ``{backbone}.{model}`` namespace that trained it, because evaluating Original
needs Retrain's model and Kedro namespaces must stay contiguous.
"""

from collections.abc import Iterable

from kedro.pipeline import Node, Pipeline

from recunlearn.pipelines.evaluation.nodes import build_report, collect_metrics, evaluate
from recunlearn.pipelines.grid import active_grid, methods_on
from recunlearn.pipelines.node_binding import bound


def evaluation_template() -> Pipeline:
    return Pipeline(
        [
            Node(
                evaluate,
                [
                    "model",
                    "log",
                    "reference_model",
                    "mi_train",
                    "prm_test",
                    "mi_forget",
                    "params:evaluation",
                ],
                "metrics",
                name="evaluate",
            )
        ]
    )


def model_names(methods: Iterable[str]) -> list[str]:
    return ["original", *methods]


def backbone_evaluation(backbone: str, names: list[str]) -> Pipeline:
    """Evaluate each of ``names`` for ``backbone`` and collect them in ``rpt_metrics_{backbone}``."""
    per_model = sum(
        (
            Pipeline(
                evaluation_template(),
                namespace=f"{backbone}.evaluation.{name}",
                inputs={
                    "model": f"{backbone}.{name}.model",
                    "log": f"{backbone}.{name}.log",
                    "reference_model": f"{backbone}.retrain.model",
                    "mi_train": "mi_train",
                    "prm_test": "prm_test",
                    "mi_forget": "mi_forget",
                },
                parameters={"params:evaluation": "params:evaluation"},
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
    return per_model + Pipeline([collect])


def create_pipeline(
    backbones: Iterable[str] | None = None, methods: Iterable[str] | None = None, **kwargs
) -> Pipeline:
    grid = active_grid()
    backbones = tuple(grid.backbones if backbones is None else backbones)
    methods = grid.methods if methods is None else methods
    report = Node(
        build_report,
        [f"rpt_metrics_{backbone}" for backbone in backbones],
        ["rpt_metrics", "rpt_completeness", "rpt_report_md", "rpt_auc_plot"],
        name="build_report",
    )
    per_backbone = (backbone_evaluation(b, model_names(methods_on(b, methods))) for b in backbones)
    return sum(per_backbone, Pipeline([])) + Pipeline([report])
