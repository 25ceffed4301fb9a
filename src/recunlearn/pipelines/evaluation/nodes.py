"""Evaluation nodes: metrics per model, then one report over every model."""

from __future__ import annotations

from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from recunlearn.evaluation.metrics import evaluate_model
from recunlearn.evaluation.plots import auc_figure
from recunlearn.evaluation.report import (
    completeness_table,
    markdown_report,
    tidy_metrics,
    with_speedup,
)
from recunlearn.models import model_from_payload
from recunlearn.parameters import EvaluationConfig


def evaluate(
    model: dict[str, Any],
    log: dict[str, Any],
    reference: dict[str, Any],
    train: pd.DataFrame,
    test: pd.DataFrame,
    forget: pd.DataFrame,
    evaluation: EvaluationConfig,
) -> dict[str, float]:
    """All metrics of one model, plus the wall time its log records.

    ``reference`` is the backbone's Retrain model (for RBO). A method that chose its
    result with validation data (IFRU/SCIF's opt-in ``select_on_validation``) gets a
    ``selected_on_validation`` row of 1, so the report labels it.
    """
    cfg = EvaluationConfig.model_validate(evaluation)
    metrics = evaluate_model(
        model_from_payload(model),
        model_from_payload(reference),
        train,
        test,
        forget,
        cfg.ks,
        cfg.rbo_p,
    )
    extra = {"seconds": float(log["seconds"])}
    for name in ("prepare_seconds", "shards_retrained", "aggregator_seconds"):
        if name in log:
            extra[name] = float(log[name])
    if log.get("selected_on_validation"):
        extra["selected_on_validation"] = 1.0
    return metrics | extra


def collect_metrics(*, backbone: str, **metrics: dict[str, float]) -> pd.DataFrame:
    """One backbone's tidy metric table from its ``{model: metrics}`` inputs."""
    return with_speedup(tidy_metrics(metrics, backbone))


def build_report(*tables: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, str, Figure]:
    """Every backbone's table, its completeness coefficients, markdown and the AUC plot."""
    tidy = pd.concat(tables, ignore_index=True)
    completeness = completeness_table(tidy)
    return tidy, completeness, markdown_report(tidy, completeness), auc_figure(tidy)
