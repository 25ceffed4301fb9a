import math

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from recunlearn.evaluation.completeness import completeness
from recunlearn.evaluation.ranking import (
    hit_rate_from_hits,
    mean_rbo,
    ndcg_at_k,
    ndcg_from_hits,
    prefix_overlaps,
    rbo,
    recall_at_k,
    recall_from_hits,
    relevance_hits,
    stable_top_k,
    top_k_items,
)
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


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.75, 0.5), (0.7, 1.0), (0.8, 0.0), (0.85, -0.5), (0.65, 1.5)],
)
def test_completeness_when_retrain_is_below_original(value, expected):
    """A negative gap (Retrain 0.7 below Original 0.8): moving down toward Retrain is
    progress, moving up is the wrong way (negative), overshooting is above 1."""
    assert completeness(value, 0.8, 0.7) == pytest.approx(expected)


def numpy_top_k(scores: np.ndarray, seen: np.ndarray, k: int) -> np.ndarray:
    """The original host implementation: mask seen items, stable argsort of -scores."""
    scores = scores.astype(np.float64).copy()
    scores[seen] = -np.inf
    return np.argsort(-scores, axis=1, kind="stable")[:, :k]


@pytest.mark.parametrize("seed", range(4))
def test_stable_top_k_breaks_ties_by_lower_id_like_a_stable_argsort(seed, torch_device):
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 4, (30, 40)).astype(np.float32)  # about ten ties per value
    scores[rng.random(scores.shape) < 0.2] = -np.inf
    scores[0, 3:] = -np.inf  # fewer than k finite scores
    got = stable_top_k(torch.as_tensor(scores, device=torch_device), 7).cpu().numpy()
    np.testing.assert_array_equal(got, numpy_top_k(scores, np.zeros_like(scores, bool), 7))


def tied_mf(n_users: int = 13, n_items: int = 29, seed: int = 0) -> MatrixFactorization:
    """MF with small integer embeddings: integer scores with many exact ties."""
    model = MatrixFactorization(n_users, n_items, 3, 1.0)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        model.user_embedding.copy_(torch.randint(-2, 3, (n_users, 3), generator=generator))
        model.item_embedding.copy_(torch.randint(-2, 3, (n_items, 3), generator=generator))
    return model


def test_top_k_items_in_small_blocks_equals_the_host_reference(torch_device):
    model = tied_mf().to(torch_device)
    rng = np.random.default_rng(1)
    seen = sp.csr_matrix(rng.random((13, 29)) < 0.3)
    users = np.array([0, 2, 3, 7, 8, 12])
    scores = model.all_scores(torch.as_tensor(users, device=torch_device)).detach().cpu().numpy()
    expected = numpy_top_k(scores, seen[users].toarray(), 10)
    got = top_k_items(model, users, seen, 10, max_elements=2 * 29)  # 3 blocks of 2 users
    np.testing.assert_array_equal(got, expected)


def test_hits_metrics_equal_the_set_based_ones(torch_device):
    rng = np.random.default_rng(2)
    users = np.array([1, 4, 5, 9])
    top = np.stack([rng.permutation(20)[:6] for _ in users])
    pairs = {(u, i) for u in (1, 4, 9) for i in rng.choice(20, 3, replace=False)}
    relevant_users = np.array([u for u, _ in sorted(pairs)] + [11])  # user 11 not ranked
    relevant_items = np.array([i for _, i in sorted(pairs)] + [0])
    relevant = [{i for u2, i in pairs if u2 == u} for u in users]
    hits, counts = relevance_hits(
        torch.as_tensor(top, device=torch_device), users, relevant_users, relevant_items
    )
    assert counts.tolist() == [len(r) for r in relevant]
    for k in (1, 3, 6):
        assert recall_from_hits(hits, counts, k) == pytest.approx(recall_at_k(top, relevant, k))
        assert ndcg_from_hits(hits, counts, k) == pytest.approx(ndcg_at_k(top, relevant, k))


def test_hits_metrics_hand_worked():
    hits = torch.tensor([[False, True, False], [True, False, False]])
    counts = torch.tensor([2, 1])
    # user 0: hit at rank 2 of 2 relevant -> recall@3 1/2, NDCG (1/log2 3)/(1 + 1/log2 3).
    assert recall_from_hits(hits, counts, 3) == pytest.approx((0.5 + 1.0) / 2)
    ndcg_0 = (1 / math.log2(3)) / (1 + 1 / math.log2(3))
    assert ndcg_from_hits(hits, counts, 3) == pytest.approx((ndcg_0 + 1.0) / 2)
    assert math.isnan(recall_from_hits(hits, torch.tensor([0, 0]), 3))


def test_hit_rate_hand_worked():
    hits = torch.tensor([[False, True, False], [False, False, False], [True, False, False]])
    counts = torch.tensor([2, 1, 0])  # user 2 has no relevant item: not counted
    assert hit_rate_from_hits(hits, counts, 1) == 0.0  # nobody hits at rank 1
    assert hit_rate_from_hits(hits, counts, 2) == 0.5  # user 0 hits at rank 2, user 1 never
    assert math.isnan(hit_rate_from_hits(hits, torch.tensor([0, 0, 0]), 3))


def test_prefix_overlaps_and_mean_rbo_equal_the_scalar_definition():
    rng = np.random.default_rng(3)
    first = np.stack([rng.permutation(12)[:8] for _ in range(25)])
    second = np.stack([rng.permutation(12)[:8] for _ in range(25)])
    second[:5] = first[:5]  # identical lists
    overlaps = prefix_overlaps(torch.as_tensor(first), torch.as_tensor(second))
    for row in (0, 7, 19):
        expected = [len(set(first[row, :d]) & set(second[row, :d])) for d in range(1, 9)]
        assert overlaps[row].tolist() == expected
    for k in (1, 5, 8):
        expected = np.mean(
            [rbo(a[:k].tolist(), b[:k].tolist(), 0.8) for a, b in zip(first, second, strict=True)]
        )
        assert mean_rbo(first, second, k, 0.8, block_rows=4) == pytest.approx(expected, abs=1e-12)
