"""Results: ``bmk_seeds_raw``, ``bmk_seeds_machine``, ``paper_values`` -> ``results_seeds_page``
(``docs/results/seeds_<protocol>.md``). Not part of ``__default__``: it reads what
``benchmarks/seeds.py`` wrote (``kedro run --pipelines=results [--env <protocol>]``)."""

from kedro.pipeline import Node, Pipeline

from recunlearn.pipelines.results.nodes import write_seeds_page


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                write_seeds_page,
                ["bmk_seeds_raw", "bmk_seeds_machine", "paper_values"],
                "results_seeds_page",
                name="write_seeds_page",
            )
        ]
    )
