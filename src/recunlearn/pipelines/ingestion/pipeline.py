"""Ingestion: ``raw_ratings`` -> ``int_interactions`` -> ``prm_train/valid/test``
(without the users of ``audits.user_pool``, whose training rows are ``prm_audit_pool``), and the
side tables ``raw_items`` / ``raw_users`` -> ``int_item_genres`` / ``int_user_groups``
through the id map ``int_id_map``."""

from kedro.pipeline import Node, Pipeline

from recunlearn.pipelines.ingestion.nodes import (
    clean_ratings,
    join_side_tables,
    split_holding_out_pool,
)


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                clean_ratings,
                ["raw_ratings", "params:dataset", "params:ingestion"],
                ["int_interactions", "ingestion_log", "int_id_map"],
                name="clean_ratings",
            ),
            Node(
                split_holding_out_pool,
                ["int_interactions", "params:ingestion", "params:audits", "params:seed"],
                ["prm_train", "prm_valid", "prm_test", "prm_audit_pool", "split_log"],
                name="split_dataset",
            ),
            Node(
                join_side_tables,
                ["raw_items", "raw_users", "int_id_map"],
                ["int_item_genres", "int_user_groups"],
                name="join_side_tables",
            ),
        ]
    )
