"""Evaluation nodes: metrics per model, then one report over every model.

The metrics (torch, scipy) and the matplotlib plot are imported inside the nodes, so
that building the pipelines imports none of them.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from recunlearn.parameters import EvaluationConfig
from recunlearn.report.headline import headline_frame, headline_tables
from recunlearn.report.html import html_report
from recunlearn.report.interactive_figures import (
    auc_figure as interactive_auc_figure,
)
from recunlearn.report.interactive_figures import completeness_figure, tradeoff_figure
from recunlearn.report.page import markdown_page
from recunlearn.report.provenance import (
    ReportProvenance,
    describe_run,
    drop_cross_run_speedups,
    runs_table,
)
from recunlearn.report.stream_section import with_stream_section
from recunlearn.report.tables import (
    LOGGED_COSTS,
    completeness_table,
    markdown_report,
    tidy_metrics,
    with_speedup,
)
from recunlearn.runtime import RuntimeConfig, apply_runtime


def evaluate(
    model: dict[str, Any],
    log: dict[str, Any],
    reference: dict[str, Any],
    original: dict[str, Any],
    train: pd.DataFrame,
    test: pd.DataFrame,
    forget: pd.DataFrame,
    evaluation: EvaluationConfig,
    runtime: RuntimeConfig,
) -> dict[str, float]:
    """All metrics of one model, on ``runtime.device``, plus the wall time its log records.

    ``reference`` is the backbone's Retrain model (for RBO and prediction-space
    completeness, which also needs ``original``). A method that chose its result with
    validation data (IFRU/SCIF's opt-in ``select_on_validation``) gets a
    ``selected_on_validation`` row of 1, so the report labels it.
    """
    from recunlearn.evaluation.metrics import evaluate_model
    from recunlearn.evaluation.prediction_completeness import prediction_metrics, prediction_rows
    from recunlearn.models.building import model_from_payload

    cfg = evaluation
    scored, retrain = model_from_payload(model), model_from_payload(reference)
    device = apply_runtime(runtime)
    metrics = evaluate_model(scored, retrain, train, test, forget, cfg.ks, cfg.rbo_p, device)
    baseline = model_from_payload(original).to(device).eval()
    metrics |= prediction_metrics(scored, baseline, retrain, prediction_rows(test, forget))
    extra = {"seconds": float(log["seconds"])}
    for name in LOGGED_COSTS:
        if name in log:
            extra[name] = float(log[name])
    if log.get("selected_on_validation"):
        extra["selected_on_validation"] = 1.0
    return metrics | extra


def collect_metrics(*, backbone: str, **metrics: dict[str, float]) -> pd.DataFrame:
    """One backbone's tidy metric table from its ``{model: metrics}`` inputs."""
    return with_speedup(tidy_metrics(metrics, backbone))


def collect_runs(*, backbone: str, **logs: dict[str, Any]) -> pd.DataFrame:
    """One backbone's run table (family, run id, device, threads, times) from its logs."""
    return runs_table(logs, backbone)


def combine_runs(*tables: pd.DataFrame) -> pd.DataFrame:
    """Every backbone's run table in one."""
    return pd.concat(tables, ignore_index=True)


def build_report(
    runs: pd.DataFrame,
    session: dict[str, Any],
    seed_spread: pd.DataFrame,
    dataset: str,
    seed: int,
    *tables: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, Any], str, Any]:
    """Every backbone's table, coefficients against seed noise, headline, markdown, plot.

    Speed-ups that would divide times from two runs are dropped; ``session`` is the
    ``run_provenance`` record (session id, catalog versions read). The plot is a
    matplotlib figure (typed ``Any``: Kedro resolves every node's hints when it builds
    the catalog, and naming ``Figure`` here would import matplotlib for every run).
    """
    from recunlearn.report.plots import auc_figure
    from recunlearn.report.seed_noise import coefficient_table

    tidy = drop_cross_run_speedups(pd.concat(tables, ignore_index=True), runs)
    completeness = completeness_table(tidy)
    coefficients = coefficient_table(tidy, seed_spread)
    provenance = describe_run(runs, session, dataset, seed)
    headlines = headline_tables(tidy, coefficients, runs, seed_spread)
    full = markdown_report(tidy, completeness, per_backbone=False)
    page = markdown_page(provenance, headlines, coefficients, full, tidy)
    return (
        tidy,
        completeness,
        coefficients,
        headline_frame(headlines),
        provenance.model_dump(),
        page,
        auc_figure(tidy),
    )


def build_figures(
    tidy: pd.DataFrame, coefficients: pd.DataFrame, runs: pd.DataFrame
) -> tuple[go.Figure, go.Figure, go.Figure]:
    """The interactive figures: AUC (zoomed and against Retrain), completeness, trade-off."""
    return (
        interactive_auc_figure(tidy, runs),
        completeness_figure(coefficients, runs),
        tradeoff_figure(tidy, coefficients, runs),
    )


def build_html_report(
    tidy: pd.DataFrame,
    coefficients: pd.DataFrame,
    runs: pd.DataFrame,
    provenance: dict[str, Any],
    benchmark_figures: dict[str, dict[str, Any]],
    seed_spread: pd.DataFrame,
    auc: go.Figure,
    completeness: go.Figure,
    tradeoff: go.Figure,
    audit_section: dict[str, Any],
    *stream: pd.DataFrame,
) -> str:
    """The self-contained HTML report (figures embedded, readable offline), with the
    audits' section (``rpt_audit_section``; ``{}`` when no audit ran) and the stream
    section where ``stream`` holds its tables (``stream.enabled``)."""
    figures = [("auc", auc), ("completeness", completeness), ("tradeoff", tradeoff)]
    headlines = headline_tables(tidy, coefficients, runs, seed_spread)
    report = ReportProvenance.model_validate(provenance)
    audits = str(audit_section.get("html", ""))
    page = html_report(report, headlines, figures, benchmark_figures, tidy, audits)
    return with_stream_section(page, stream) if stream else page
