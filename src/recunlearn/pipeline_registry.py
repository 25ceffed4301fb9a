"""The project's named pipelines; ``__default__`` runs them all in order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kedro.pipeline import Pipeline

if TYPE_CHECKING:
    from recunlearn.grid import GridConfig
    from recunlearn.unlearning.stream_config import StreamConfig


def register_pipelines() -> dict[str, Pipeline]:
    """The pipelines of the active grid (the session environment's; ``conf/base``'s
    outside a session), handed to every grid-shaped pipeline explicitly."""
    from recunlearn.pipelines.grid import active_grid, active_stream  # when Kedro first asks

    return pipelines_for(active_grid(), active_stream())


def pipelines_for(grid: GridConfig, stream: StreamConfig | None = None) -> dict[str, Pipeline]:
    """The named pipelines holding ``grid``'s cells, ``__default__`` (all, in order;
    ``stream`` only where ``stream.enabled``: ``--pipelines=stream`` runs it anyway) and
    ``results`` (the docs/results pages from the benchmark datasets)."""
    from recunlearn.pipelines import (
        audits,
        evaluation,
        grouping,
        ingestion,
        poisoning,
        results,
        training,
        tuning,
        unlearning,
    )
    from recunlearn.pipelines import (
        stream as stream_pipeline,
    )

    steps = {
        "ingestion": ingestion.create_pipeline(),
        "poisoning": poisoning.create_pipeline(),
        "grouping": grouping.create_pipeline(),
        "tuning": tuning.create_pipeline(grid),
        "training": training.create_pipeline(grid),
        "unlearning": unlearning.create_pipeline(grid),
        "evaluation": evaluation.create_pipeline(grid, stream),
        "audits": audits.create_pipeline(grid),
    }
    # Every node carries its step's name as a tag: kedro-viz filters the DAG by step, and
    # `kedro run --tags=<step>` runs one step's nodes.
    pipelines = {step: Pipeline(pipeline, tags=step) for step, pipeline in steps.items()}
    pipelines["__default__"] = sum(pipelines.values(), Pipeline([]))
    pipelines["stream"] = Pipeline(stream_pipeline.create_pipeline(grid, stream), tags="stream")
    if stream is not None and stream.enabled:
        pipelines["__default__"] += pipelines["stream"]
    # The results pages read what the benchmarks wrote: run on their own, never by default.
    pipelines["results"] = Pipeline(results.create_pipeline(grid, stream), tags="results")
    return pipelines
