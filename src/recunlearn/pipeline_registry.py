"""The project's named pipelines; ``__default__`` runs them all in order."""

from __future__ import annotations

from kedro.pipeline import Pipeline


def register_pipelines() -> dict[str, Pipeline]:
    from recunlearn.pipelines import (  # imported when Kedro first asks for the pipelines
        evaluation,
        grouping,
        ingestion,
        poisoning,
        training,
        tuning,
        unlearning,
    )

    pipelines = {
        "ingestion": ingestion.create_pipeline(),
        "poisoning": poisoning.create_pipeline(),
        "grouping": grouping.create_pipeline(),
        "tuning": tuning.create_pipeline(),
        "training": training.create_pipeline(),
        "unlearning": unlearning.create_pipeline(),
        "evaluation": evaluation.create_pipeline(),
    }
    pipelines["__default__"] = sum(pipelines.values(), Pipeline([]))
    return pipelines
