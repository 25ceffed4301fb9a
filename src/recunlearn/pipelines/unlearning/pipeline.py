"""Unlearning: one namespaced instance of the template per ``{backbone}.{method}``.

::

    {backbone}.original.model ─┬─> {backbone}.retrain.unlearn ─> {backbone}.retrain.model
                               └─> {backbone}.<method>.unlearn ─> {backbone}.<method>.model
"""

from collections.abc import Iterable

from kedro.pipeline import Node, Pipeline

from recunlearn.models import DEFAULT_BACKBONES
from recunlearn.pipelines.node_binding import bound
from recunlearn.pipelines.unlearning.nodes import run_unlearning
from recunlearn.unlearning import METHODS


def unlearning_template(method: str) -> Pipeline:
    return Pipeline(
        [
            Node(
                bound(run_unlearning, method=method),
                [
                    "original_model",
                    "mi_train",
                    "prm_valid",
                    "params:method_config",
                    "train_config",
                    "params:seed",
                    "params:runtime",
                ],
                ["model", "log"],
                name="unlearn",
            )
        ]
    )


def create_pipeline(
    backbones: Iterable[str] = DEFAULT_BACKBONES, methods: Iterable[str] = tuple(METHODS), **kwargs
) -> Pipeline:
    methods = tuple(methods)
    return sum(
        (
            Pipeline(
                unlearning_template(method),
                namespace=f"{backbone}.{method}",
                inputs={
                    "original_model": f"{backbone}.original.model",
                    "mi_train": "mi_train",
                    "prm_valid": "prm_valid",
                    "train_config": f"{backbone}.original.train_config",
                },
                parameters={
                    "params:method_config": f"params:unlearning.{method}",
                    "params:seed": "params:seed",
                    "params:runtime": "params:runtime",
                },
            )
            for backbone in backbones
            for method in methods
        ),
        Pipeline([]),
    )
