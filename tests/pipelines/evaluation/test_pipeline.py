import numpy as np
import pandas as pd

from recunlearn.grid import DEFAULT_METHODS
from recunlearn.pipeline_registry import register_pipelines

from ..conftest import run_pipeline


def test_full_default_pipeline_in_memory_writes_the_report(raw_ratings):
    out = run_pipeline(register_pipelines()["__default__"], {"raw_ratings": raw_ratings})
    tidy = out["rpt_metrics"]
    assert set(tidy["backbone"]) == {"mf", "lightgcn"}
    assert set(tidy["model"]) == {"original", *DEFAULT_METHODS}
    retrain_rbo = tidy.query("model == 'retrain' and metric == 'rbo@5'")["value"]
    assert np.allclose(retrain_rbo, 1.0)
    speedup = tidy.query("model == 'retrain' and metric == 'speedup'")["value"]
    assert np.allclose(speedup, 1.0)
    completeness = out["rpt_completeness"].query("model == 'retrain'")["completeness"].dropna()
    assert np.allclose(completeness, 1.0)
    assert "# Unlearning report" in out["rpt_report_md"]
    assert out["rpt_auc_plot"].axes


def test_same_seed_gives_identical_metrics(raw_ratings):
    pipeline = register_pipelines()["__default__"]
    first = run_pipeline(pipeline, {"raw_ratings": raw_ratings})["rpt_metrics"]
    second = run_pipeline(pipeline, {"raw_ratings": raw_ratings.copy()})["rpt_metrics"]
    timing = ["seconds", "prepare_seconds", "speedup"]  # wall-clock measurements, not results
    pd.testing.assert_frame_equal(
        first[~first["metric"].isin(timing)], second[~second["metric"].isin(timing)]
    )
