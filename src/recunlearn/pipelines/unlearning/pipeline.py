"""Unlearning: one namespaced instance of the template per ``{backbone}.{method}``.

::

    {backbone}.original.model ─┬─> {backbone}.retrain.unlearn ─> {backbone}.retrain.model
                               └─> {backbone}.<method>.unlearn ─> {backbone}.<method>.model

Methods with a preparation first learn their own state on D
(``{backbone}.<method>.prepare`` → ``{backbone}.<method>.state``: exact methods'
checkpoints and sub-models, IFRU's and SCIF's Hessian spectrum estimate), which their
``unlearn`` node reads; methods on user groups also read the grouping step's tables.
"""

from kedro.pipeline import Node, Pipeline

from recunlearn.grid import GridConfig
from recunlearn.pipelines.grid import methods_on
from recunlearn.pipelines.node_binding import bound
from recunlearn.pipelines.unlearning.nodes import prepare_method, run_unlearning
from recunlearn.unlearning import METHOD_SPECS

COMMON_INPUTS = [
    "original_model",
    "mi_train",
    "prm_valid",
    "params:method_config",
    "train_config",
    "params:seed",
    "params:runtime",
]
GROUP_INPUTS = ["grp_user_groups", "grp_cohesion"]


def unlearning_template(method: str) -> Pipeline:
    kind = METHOD_SPECS[method]
    if not kind.prepares:
        unlearn = Node(
            bound(run_unlearning, method=method), COMMON_INPUTS, ["model", "log"], name="unlearn"
        )
        return Pipeline([unlearn])
    extra = GROUP_INPUTS if kind.needs_groups else []
    prepare = Node(
        bound(prepare_method, method=method), COMMON_INPUTS + extra, "state", name="prepare"
    )
    unlearn = Node(
        bound(run_unlearning, method=method),
        [*COMMON_INPUTS, "state"],
        ["model", "log"],
        name="unlearn",
    )
    return Pipeline([prepare, unlearn])


def create_pipeline(grid: GridConfig, **kwargs) -> Pipeline:
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
                    **{name: name for name in GROUP_INPUTS if METHOD_SPECS[method].needs_groups},
                },
                parameters={
                    "params:method_config": f"params:unlearning.{method}",
                    "params:seed": "params:seed",
                    "params:runtime": "params:runtime",
                },
            )
            for backbone in grid.backbones
            for method in methods_on(backbone, grid.methods)
        ),
        Pipeline([]),
    )
