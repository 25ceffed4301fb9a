import math

import numpy as np
import pytest
import torch

from recunlearn.predictions import auc, tensor_auc


def pairwise_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """P(score of a positive > score of a negative) + P(equal) / 2, by brute force."""
    positive, negative = scores[labels == 1], scores[labels == 0]
    greater = (positive[:, None] > negative[None, :]).mean()
    equal = (positive[:, None] == negative[None, :]).mean()
    return float(greater + equal / 2)


@pytest.mark.parametrize("seed", range(5))
def test_equals_the_pairwise_definition_and_the_scipy_version_with_ties(seed, torch_device):
    rng = np.random.default_rng(seed)
    labels = (rng.random(400) < 0.3).astype(np.int64)
    scores = rng.integers(0, 7, 400).astype(np.float32) + 0.5 * labels  # many ties
    got = tensor_auc(
        torch.as_tensor(labels, device=torch_device), torch.as_tensor(scores, device=torch_device)
    )
    assert got == pytest.approx(pairwise_auc(labels, scores), abs=1e-12)
    assert got == auc(labels, scores.astype(np.float64))  # the same float64 number


def test_hand_worked_and_degenerate_cases():
    labels = torch.tensor([0, 1, 0, 1])
    # positives 0.5 (tie with a negative) and 0.9: wins 1 + 0.5 + 2 of 4 pairs.
    assert tensor_auc(labels, torch.tensor([0.5, 0.5, 0.1, 0.9])) == pytest.approx(0.875)
    assert tensor_auc(torch.tensor([True, False]), torch.tensor([2.0, 1.0])) == 1.0
    assert math.isnan(tensor_auc(torch.ones(3), torch.rand(3)))
    assert math.isnan(tensor_auc(torch.zeros(0), torch.zeros(0)))
