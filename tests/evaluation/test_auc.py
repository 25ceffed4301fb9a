import math

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from recunlearn.evaluation.auc import auc_variants
from recunlearn.predictions import auc


@pytest.mark.parametrize("seed", range(5))
def test_auc_matches_scikit_learn_with_ties(seed):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, 300)
    scores = rng.integers(0, 10, 300).astype(float)  # many ties
    assert auc(labels, scores) == pytest.approx(roc_auc_score(labels, scores), abs=1e-12)


def test_auc_of_a_single_class_is_nan():
    assert math.isnan(auc(np.ones(4), np.arange(4.0)))


def test_auc_variants_select_rows_touching_the_forget_set():
    test = pd.DataFrame(
        {"user": [0, 0, 1, 1, 2, 2], "item": [0, 1, 0, 1, 2, 3], "label": [1, 0, 1, 0, 1, 0]}
    )
    scores = np.array([0.9, 0.1, 0.2, 0.8, 0.7, 0.3])
    forget = pd.DataFrame({"user": [0], "item": [1]})
    result = auc_variants(test, scores, forget)
    # AUC_1: rows with user 0 or item 1 -> rows 0,1,3 ; AUC_2: user 0 and item 1 -> row 1 only.
    assert result["auc_0"] == pytest.approx(roc_auc_score(test["label"], scores))
    assert result["auc_1"] == pytest.approx(roc_auc_score([1, 0, 0], [0.9, 0.1, 0.8]))
    assert math.isnan(result["auc_2"])


def test_an_auc_without_rows_is_nan_with_a_warning(caplog):
    test = pd.DataFrame({"user": [0, 0, 1, 1], "item": [0, 1, 0, 1], "label": [1, 0, 0, 1]})
    forget = pd.DataFrame({"user": [0, 5], "item": [7, 8]})  # user 0 only: no AUC_2 row
    with caplog.at_level("WARNING", logger="recunlearn.evaluation.auc"):
        result = auc_variants(test, np.array([0.9, 0.1, 0.2, 0.8]), forget)
    assert result["auc_1"] == 1.0 and math.isnan(result["auc_2"])
    assert caplog.messages == [
        "AUC_2 is undefined (NaN): of the test rows whose user and item are both in V(D_r), "
        "there are none"
    ]


def test_an_auc_of_one_class_is_nan_with_a_warning(caplog):
    test = pd.DataFrame({"user": [0, 0, 1], "item": [0, 1, 0], "label": [1, 1, 0]})
    forget = pd.DataFrame({"user": [0], "item": [1]})
    with caplog.at_level("WARNING", logger="recunlearn.evaluation.auc"):
        result = auc_variants(test, np.array([0.9, 0.1, 0.2]), forget)
    assert math.isnan(result["auc_1"]) and math.isnan(result["auc_2"])
    assert caplog.messages == [
        "AUC_1 is undefined (NaN): of the test rows whose user or item is in V(D_r), "
        "all 2 are positive",
        "AUC_2 is undefined (NaN): of the test rows whose user and item are both in V(D_r), "
        "all 1 are positive",
    ]
