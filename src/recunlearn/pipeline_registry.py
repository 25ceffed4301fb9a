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
    """The named pipelines holding ``grid``'s cells, and ``__default__`` (all, in order;
    ``stream`` only where ``stream.enabled``: ``--pipelines=stream`` runs it anyway)."""
    from recunlearn.pipelines import (
        audits,
        evaluation,
        grouping,
        ingestion,
        poisoning,
        training,
        tuning,
        unlearning,
    )
    from recunlearn.pipelines import (
        stream as stream_pipeline,
    )

    pipelines = {
        "ingestion": ingestion.create_pipeline(),
        "poisoning": poisoning.create_pipeline(),
        "grouping": grouping.create_pipeline(),
        "tuning": tuning.create_pipeline(grid),
        "training": training.create_pipeline(grid),
        "unlearning": unlearning.create_pipeline(grid),
        "evaluation": evaluation.create_pipeline(grid),
        "audits": audits.create_pipeline(grid),
    }
    pipelines["__default__"] = sum(pipelines.values(), Pipeline([]))
    pipelines["stream"] = stream_pipeline.create_pipeline(grid, stream)
    if stream is not None and stream.enabled:
        pipelines["__default__"] += pipelines["stream"]
    return pipelines
