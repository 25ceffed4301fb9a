"""Grouping (LASER): ``mi_train`` -> collaborative embedding -> rand / BKM / CBKM groups.

Outputs read downstream: ``grp_user_groups`` (``user``, ``rand``, ``bkm``, ``cbkm``)
and ``grp_cohesion`` (``grouping``, ``group``, ``size``, ``cohesion``, ``rank``).
"""

from kedro.pipeline import Node, Pipeline

from recunlearn.pipelines.grouping.nodes import assign_groups, embed_users, plot_grouping


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                embed_users,
                ["mi_train", "int_interactions", "params:grouping", "params:seed"],
                ["grp_embeddings", "grp_walks_summary"],
                name="embed_users",
            ),
            Node(
                assign_groups,
                [
                    "mi_train",
                    "grp_embeddings",
                    "grp_walks_summary",
                    "params:grouping",
                    "params:seed",
                ],
                ["grp_user_groups", "grp_cohesion", "grp_log"],
                name="assign_groups",
            ),
            Node(
                plot_grouping,
                ["grp_cohesion", "grp_log"],
                ["grp_sizes_plot", "grp_cohesion_plot"],
                name="plot_grouping",
            ),
        ]
    )
