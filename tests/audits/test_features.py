"""Attack features against a hand-made logit table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from recunlearn.audits.features import attack_features
from tests.audits.conftest import TableModel


def test_features_by_hand():
    model = TableModel([[0.0, 2.0, -2.0, 4.0], [1.0, 1.0, 1.0, 1.0]])
    rows = pd.DataFrame({"user": [0, 0, 1], "item": [1, 3, 2], "label": [0.0, 1.0, 1.0]})
    features = attack_features(model, rows)
    p = 1 / (1 + math.exp(-2.0))
    np.testing.assert_allclose(features[0], [p, -math.log(1 - p), 1 / 4, 1.0, math.sqrt(5.0)])
    np.testing.assert_allclose(features[1, 2], 0.0)  # the user's best item
    np.testing.assert_allclose(
        features[2], [1 / (1 + math.exp(-1)), math.log(1 + math.exp(-1)), 0.0, 1.0, 0.0]
    )
