import math

import pandas as pd
import pytest

from recunlearn.report.seed_noise import coefficient_table
from recunlearn.report.tables import tidy_metrics


def tidy():
    return tidy_metrics(
        {
            "original": {"auc_0": 0.70, "pred_completeness_auc_1": 0.0},
            "retrain": {"auc_0": 0.72, "pred_completeness_auc_1": 1.0, "pred_gap_auc_1": 0.1},
            "retrain_star": {
                "auc_0": 0.715,
                "pred_completeness_auc_1": 0.2,
                "pred_distance_auc_1": 0.08,
            },
            "ifru": {"auc_0": 0.71, "pred_completeness_auc_1": 0.6},
        },
        "mf",
    )


def row(table, model, coefficient):
    match = table[(table["model"] == model) & (table["coefficient"] == coefficient)]
    return match.iloc[0]


def test_retrain_star_is_the_measured_noise_without_a_seed_benchmark():
    table = coefficient_table(tidy())
    ifru = row(table, "ifru", "auc_0")
    assert ifru["value"] == pytest.approx(0.5)  # (0.71 - 0.70) / (0.72 - 0.70)
    assert ifru["gap"] == pytest.approx(0.02)
    assert ifru["noise"] == pytest.approx(0.005)  # |0.715 - 0.72|
    assert ifru["exceeds_noise"] == 1.0 and "Retrain*" in ifru["noise_source"]
    prediction = row(table, "ifru", "pred_auc_1")
    assert prediction["value"] == pytest.approx(0.6)
    assert (prediction["gap"], prediction["noise"]) == pytest.approx((0.1, 0.08))
    assert prediction["exceeds_noise"] == 1.0


def test_seed_benchmark_std_is_used_when_present_and_said_so():
    spread = pd.DataFrame(
        {
            "backbone": ["mf"],
            "model": ["retrain"],
            "metric": ["auc_0"],
            "mean": [0.72],
            "std": [0.03],
            "count": [3],
        }
    )
    ifru = row(coefficient_table(tidy(), spread), "ifru", "auc_0")
    assert ifru["noise"] == pytest.approx(0.03)
    assert ifru["exceeds_noise"] == 0.0
    assert "3 seeds" in ifru["noise_source"] and "bmk_seeds" in ifru["noise_source"]


def test_without_any_measure_of_noise_the_verdict_is_unknown():
    frame = tidy()
    table = coefficient_table(frame[frame["model"] != "retrain_star"])
    ifru = row(table, "ifru", "auc_0")
    assert math.isnan(ifru["noise"]) and math.isnan(ifru["exceeds_noise"])
    assert "not measured" in ifru["noise_source"]
