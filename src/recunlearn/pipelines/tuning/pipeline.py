"""Tuning: one Optuna study per backbone, ``{backbone}.tuning.*`` outputs."""

from kedro.pipeline import Node, Pipeline

from recunlearn.grid import GridConfig
from recunlearn.models import BACKBONE_SPECS
from recunlearn.pipelines.node_binding import bound
from recunlearn.pipelines.tuning.nodes import tune_backbone


def tuning_template(backbone: str) -> Pipeline:
    return Pipeline(
        [
            Node(
                bound(
                    tune_backbone,
                    hints={"train_config": BACKBONE_SPECS[backbone].config_type},
                    backbone=backbone,
                ),
                [
                    "mi_train",
                    "prm_valid",
                    "int_interactions",
                    "params:tuning",
                    "params:train_config",
                    "params:seed",
                    "params:dataset",
                    "params:runtime",
                ],
                ["best_params", "trials", "history_plot", "importance_plot"],
                name="tune",
            )
        ]
    )


def create_pipeline(grid: GridConfig, **kwargs) -> Pipeline:
    return sum(
        (
            Pipeline(
                tuning_template(backbone),
                namespace=f"{backbone}.tuning",
                inputs={"mi_train", "prm_valid", "int_interactions"},
                parameters={
                    "params:tuning": "params:tuning",
                    "params:train_config": f"params:training.{backbone}",
                    "params:seed": "params:seed",
                    "params:dataset": "params:dataset",
                    "params:runtime": "params:runtime",
                },
            )
            for backbone in grid.backbones
        ),
        Pipeline([]),
    )
