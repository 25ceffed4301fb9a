"""Training: one namespaced instance per backbone, ``{backbone}.original.{model,log}``."""

from kedro.pipeline import Node, Pipeline

from recunlearn.grid import GridConfig
from recunlearn.models import BACKBONE_SPECS
from recunlearn.pipelines.node_binding import bound
from recunlearn.pipelines.training.nodes import resolve_train_config, train_original

SHARED_INPUTS = {name: name for name in ("mi_train", "prm_valid", "int_interactions")}


def training_template(backbone: str) -> Pipeline:
    backbone_config_type = BACKBONE_SPECS[backbone].config_type
    return Pipeline(
        [
            Node(
                bound(resolve_train_config, hints={"train_config": backbone_config_type}),
                ["params:train_config", "tuned_params", "params:tuning"],
                "train_config",
                name="resolve_train_config",
            ),
            Node(
                bound(train_original, backbone=backbone),
                [
                    "mi_train",
                    "prm_valid",
                    "int_interactions",
                    "train_config",
                    "params:seed",
                    "params:runtime",
                ],
                ["model", "log"],
                name="train_original",
            ),
        ]
    )


def create_pipeline(grid: GridConfig, **kwargs) -> Pipeline:
    return sum(
        (
            Pipeline(
                training_template(backbone),
                namespace=f"{backbone}.original",
                inputs=SHARED_INPUTS | {"tuned_params": f"{backbone}.tuning.best_params"},
                parameters={
                    "params:train_config": f"params:training.{backbone}",
                    "params:tuning": "params:tuning",
                    "params:seed": "params:seed",
                    "params:runtime": "params:runtime",
                },
            )
            for backbone in grid.backbones
        ),
        Pipeline([]),
    )
