import math

import numpy as np
import pandas as pd
import pytest
import torch

from recunlearn.evaluation.prediction_completeness import (
    prediction_completeness,
    prediction_metrics,
    prediction_rows,
    rms_distance,
)
from recunlearn.models import build_backbone
from recunlearn.models.config import TrainConfig


def test_hand_worked_coefficient():
    # ||p_O - p_R|| = sqrt(0.3^2 + 0.4^2) = 0.5, ||p_m - p_R|| = 0.1 -> 1 - 0.1 / 0.5 = 0.8
    p_o, p_r, p_m = np.array([0.2, 0.6]), np.array([0.5, 0.2]), np.array([0.4, 0.2])
    assert prediction_completeness(p_m, p_o, p_r) == pytest.approx(0.8)
    assert rms_distance(p_o, p_r) == pytest.approx(0.5 / math.sqrt(2))
    assert prediction_completeness(p_o, p_o, p_r) == pytest.approx(0.0)
    assert prediction_completeness(p_r, p_o, p_r) == pytest.approx(1.0)
    # moving away from Retrain, further than Original: below 0
    assert prediction_completeness(np.array([0.0, 1.0]), p_o, p_r) < 0


def test_vanishing_gap_or_no_rows_is_nan():
    same = np.array([0.3, 0.4])
    assert math.isnan(prediction_completeness(same, same, same))
    assert math.isnan(prediction_completeness(np.empty(0), np.empty(0), np.empty(0)))


def test_rows_are_the_auc_1_test_rows_and_the_forget_set():
    forget = pd.DataFrame({"user": [0], "item": [5], "label": [1]})
    test = pd.DataFrame({"user": [0, 1, 2, 3], "item": [1, 5, 2, 3], "label": [1, 0, 1, 0]})
    rows = prediction_rows(test, forget)
    assert rows["auc_1"].index.tolist() == [0, 1]  # user 0 or item 5
    assert rows["forget"].equals(forget)


def test_metrics_of_original_and_retrain_are_zero_and_one(interactions):
    def model(seed):
        generator = torch.Generator().manual_seed(seed)
        config = TrainConfig(embedding_dim=4, init_std=0.5)
        return build_backbone("mf", 24, 18, config, interactions, generator)

    original, retrain, other = model(0), model(1), model(2)
    rows = {"all": interactions}
    assert prediction_metrics(original, original, retrain, rows)["pred_completeness_all"] == 0.0
    out = prediction_metrics(retrain, original, retrain, rows)
    assert out["pred_completeness_all"] == 1.0 and out["pred_distance_all"] == 0.0
    assert prediction_metrics(other, original, retrain, rows)["pred_gap_all"] > 0
