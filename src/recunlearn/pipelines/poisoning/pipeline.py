"""Poisoning: ``prm_train`` -> ``mi_train`` (D, with ``forget``), ``mi_forget``, ``mi_retain``."""

from kedro.pipeline import Node, Pipeline

from recunlearn.pipelines.poisoning.nodes import make_deletion_request


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                make_deletion_request,
                [
                    "prm_train",
                    "int_interactions",
                    "int_item_genres",
                    "params:poisoning",
                    "params:dataset",
                    "params:seed",
                ],
                ["mi_train", "mi_forget", "mi_retain", "poisoning_log"],
                name="make_deletion_request",
            )
        ]
    )
