import math

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from recunlearn.evaluation.completeness import completeness
from recunlearn.evaluation.ranking import mean_rbo, ndcg_at_k, rbo, recall_at_k, top_k_items
from recunlearn.models import MatrixFactorization


def test_recall_hand_worked():
    ranked = np.array([[3, 1, 2, 0], [0, 1, 2, 3]])
    relevant = [{1, 0}, {3}]
    # user 0: top-2 {3,1} hits 1 of 2 -> 0.5; user 1: top-2 {0,1} hits 0 of 1 -> 0.
    assert recall_at_k(ranked, relevant, 2) == pytest.approx(0.25)
    assert recall_at_k(ranked, relevant, 4) == pytest.approx(1.0)


def test_ndcg_hand_worked():
    ranked = np.array([[3, 1, 2]])
    # hit at rank 2 only: DCG = 1/log2(3); IDCG with 2 relevant = 1 + 1/log2(3).
    expected = (1 / math.log2(3)) / (1 + 1 / math.log2(3))
    assert ndcg_at_k(ranked, [{1, 0}], 3) == pytest.approx(expected)
    assert ndcg_at_k(np.array([[1, 0, 2]]), [{1, 0}], 3) == pytest.approx(1.0)


def test_users_without_relevant_items_are_skipped():
    assert recall_at_k(np.array([[0], [1]]), [set(), {1}], 1) == 1.0
    assert math.isnan(ndcg_at_k(np.array([[0]]), [set()], 1))


def test_rbo_hand_worked():
    # p = 0.5, k = 2, lists [a, b] vs [b, a]: A_1 = 0, A_2 = 1.
    # RBO_ext = A_2 p^2 + (1-p)/p * (A_1 p + A_2 p^2) = 0.25 + 1 * 0.25 = 0.5
    assert rbo([1, 2], [2, 1], p=0.5) == pytest.approx(0.5)
    assert rbo([1, 2, 3], [1, 2, 3], p=0.9) == pytest.approx(1.0)
    assert rbo([1, 2, 3], [4, 5, 6], p=0.9) == pytest.approx(0.0)


def test_rbo_is_top_weighted():
    top_differs = rbo([9, 2, 3, 4], [1, 2, 3, 4], 0.9)
    bottom_differs = rbo([1, 2, 3, 9], [1, 2, 3, 4], 0.9)
    assert bottom_differs > top_differs


def test_mean_rbo_of_empty_is_nan():
    assert math.isnan(mean_rbo(np.empty((0, 3)), np.empty((0, 3)), 3))


def test_top_k_excludes_seen_items_and_orders_by_score():
    model = MatrixFactorization(1, 4, 1, 1.0)
    with torch.no_grad():
        model.user_embedding.fill_(1.0)
        model.item_embedding.copy_(torch.tensor([[4.0], [3.0], [2.0], [1.0]]))
    seen = sp.csr_matrix(np.array([[True, False, False, False]]))
    assert top_k_items(model, np.array([0]), seen, 2).tolist() == [[1, 2]]


def test_completeness_coefficient():
    assert completeness(0.75, 0.7, 0.8) == pytest.approx(0.5)
    assert completeness(0.8, 0.7, 0.8) == pytest.approx(1.0)
    assert math.isnan(completeness(0.75, 0.7, 0.7))
    assert math.isnan(completeness(float("nan"), 0.7, 0.8))
