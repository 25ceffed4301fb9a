"""Ingestion: ``raw_ratings`` -> ``int_interactions`` -> ``prm_train/valid/test``."""

from kedro.pipeline import Node, Pipeline

from recunlearn.pipelines.ingestion.nodes import clean_ratings, split_dataset


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                clean_ratings,
                ["raw_ratings", "params:dataset", "params:ingestion"],
                ["int_interactions", "ingestion_log"],
                name="clean_ratings",
            ),
            Node(
                split_dataset,
                ["int_interactions", "params:ingestion", "params:seed"],
                ["prm_train", "prm_valid", "prm_test", "split_log"],
                name="split_dataset",
            ),
        ]
    )
