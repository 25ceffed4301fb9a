import numpy as np
import pandas as pd
from kedro.pipeline import Pipeline

from recunlearn.pipeline_registry import register_pipelines
from recunlearn.pipelines import evaluation, ingestion, poisoning, training, tuning, unlearning

from ..conftest import grid, run_pipeline

RUN = "2026-11-22T10.00.00.000Z"
# What the catalog and ProvenanceHook give the report in a real run: the session's
# record, no seed benchmark yet and no benchmark figure.
REPORT_INPUTS = {
    "run_provenance": {"session_id": RUN, "versions": {"mi_train": RUN}},
    "rpt_seed_spread": pd.DataFrame(),
    "rpt_benchmark_figures": {},
    "rpt_audit_section": {},  # no audit in these runs: the optional dataset's {}
}
UNGROUPED = ["retrain", "retrain_star", "ifru", "warm_start"]


def ungrouped_pipeline() -> Pipeline:
    """Every step with the methods that need no user groups."""
    cells = grid(methods=UNGROUPED)
    return (
        ingestion.create_pipeline()
        + poisoning.create_pipeline()
        + (
            tuning.create_pipeline(cells)
            + training.create_pipeline(cells)
            + unlearning.create_pipeline(cells)
            + evaluation.create_pipeline(cells)
        )
    )


def test_report_has_prediction_completeness_noise_headline_figures_and_html(raw_ratings):
    out = run_pipeline(ungrouped_pipeline(), {"raw_ratings": raw_ratings, **REPORT_INPUTS})
    coefficients = out["rpt_coefficients"].set_index(["backbone", "model", "coefficient"])
    for backbone in ("mf", "lightgcn"):
        for name in ("pred_auc_1", "pred_forget"):
            assert coefficients.loc[(backbone, "original", name), "value"] == 0.0
            assert coefficients.loc[(backbone, "retrain", name), "value"] == 1.0
            star = coefficients.loc[(backbone, "retrain_star", name)]
            assert star["noise_source"].startswith("RMS(p_Retrain*")
            assert star["exceeds_noise"] == float(star["value"] > 0)  # 1 - noise / gap
    headline = out["rpt_headline"]
    assert headline["method"].iloc[0] == "MF · Original" and "MF · IFRU" in set(headline["method"])
    assert out["rpt_provenance"]["versions"] == {"mi_train": RUN}
    assert out["rpt_provenance"]["report_session"] == RUN
    assert "pred. completeness (D_r)" in out["rpt_report_md"]
    html = out["rpt_report_html"]
    assert all(f'id="figure-{n}"' in html for n in ("auc", "completeness", "tradeoff"))
    assert len(out["rpt_tradeoff_plotly"].data) == 2 * (len(UNGROUPED))


def test_full_default_pipeline_in_memory_writes_the_report(raw_ratings):
    out = run_pipeline(
        register_pipelines()["__default__"], {"raw_ratings": raw_ratings, **REPORT_INPUTS}
    )
    tidy = out["rpt_metrics"]
    assert set(tidy["backbone"]) == {"mf", "lightgcn"}
    assert set(tidy["model"]) == {"original", *grid().methods}
    retrain_rbo = tidy.query("model == 'retrain' and metric == 'rbo@5'")["value"]
    assert np.allclose(retrain_rbo, 1.0)
    speedup = tidy.query("model == 'retrain' and metric == 'speedup'")["value"]
    assert np.allclose(speedup, 1.0)
    completeness = out["rpt_completeness"].query("model == 'retrain'")["completeness"].dropna()
    assert np.allclose(completeness, 1.0)
    assert "# Unlearning report" in out["rpt_report_md"]
    assert out["rpt_auc_plot"].axes
    html = out["rpt_report_html"]  # the audit section is embedded and linked from the top
    assert "<a href='#audits'>" in html and html.count("<h2 id='audits'>") == 1


def test_same_seed_gives_identical_metrics(raw_ratings):
    pipeline = register_pipelines()["__default__"]
    first = run_pipeline(pipeline, {"raw_ratings": raw_ratings, **REPORT_INPUTS})["rpt_metrics"]
    second = run_pipeline(pipeline, {"raw_ratings": raw_ratings.copy(), **REPORT_INPUTS})[
        "rpt_metrics"
    ]
    timing = [
        "seconds",
        "prepare_seconds",
        "aggregator_seconds",
        "speedup",
    ]  # wall-clock, not results
    pd.testing.assert_frame_equal(
        first[~first["metric"].isin(timing)], second[~second["metric"].isin(timing)]
    )
