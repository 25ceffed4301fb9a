"""Random walks (LASER Algorithm 3) against the walk's own definition on a tiny hypergraph."""

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.stats import chisquare

from recunlearn.grouping import UserHypergraph, build_hypergraph, distinct_per_walk, sample_walks

# Four users, four hyperedges (rows) with edge-dependent weights; e3 is not symmetric
# to anything, so the vertex -> edge choice must read columns (edges containing v).
WEIGHTS = np.array(
    [
        [1.0, 2.0, 0.0, 0.0],  # e0 = {0, 1}
        [1.0, 1.0, 3.0, 0.0],  # e1 = {0, 1, 2}
        [0.0, 2.0, 1.0, 1.0],  # e2 = {1, 2, 3}
        [4.0, 0.0, 0.0, 1.0],  # e3 = {0, 3}
    ]
)
VISIT_TOLERANCE = 0.01  # absolute, on visit shares of ~300k correlated steps


def tiny() -> UserHypergraph:
    return UserHypergraph(weights=sp.csr_matrix(WEIGHTS.astype(np.float32)))


def transition_matrix(weights: np.ndarray) -> np.ndarray:
    """P[v, u] = sum_e P(e | v) P(u | e), P(e | v) ~ |e| over e containing v, P(u | e) ~ w(e, u)."""
    members = weights > 0
    sizes = members.sum(axis=1)
    n = weights.shape[1]
    p = np.zeros((n, n))
    for v in range(n):
        edge_share = np.where(members[:, v], sizes, 0) / np.where(members[:, v], sizes, 0).sum()
        for e in range(weights.shape[0]):
            p[v] += edge_share[e] * weights[e] / weights[e].sum()
    return p


def stationary(p: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eig(p.T)
    pi = np.real(vectors[:, np.argmin(np.abs(values - 1.0))])
    return pi / pi.sum()


def test_long_walks_visit_users_at_the_stationary_distribution():
    walks = sample_walks(tiny(), repetitions=500, depth=160, rng=np.random.default_rng(1))
    visits = walks[:, 10:].ravel()  # past a burn-in
    share = np.bincount(visits, minlength=4) / len(visits)
    pi = stationary(transition_matrix(WEIGHTS))
    np.testing.assert_allclose(share, pi, atol=VISIT_TOLERANCE)


def test_one_step_transitions_follow_the_definition():
    walks = sample_walks(tiny(), repetitions=2000, depth=5, rng=np.random.default_rng(2))
    pairs = np.stack([walks[:, :-1].ravel(), walks[:, 1:].ravel()], axis=1)
    counts = np.zeros((4, 4))
    np.add.at(counts, (pairs[:, 0], pairs[:, 1]), 1)
    p = transition_matrix(WEIGHTS)
    for v in range(4):
        reachable = p[v] > 0
        assert (counts[v, ~reachable] == 0).all()
        expected = p[v, reachable] * counts[v].sum()
        assert chisquare(counts[v, reachable], expected).pvalue > 1e-3


def test_every_step_moves_within_a_real_hyperedge():
    frame = pd.DataFrame(
        {"user": [0, 0, 1, 2, 3, 4, 4], "item": [0, 1, 1, 2, 2, 3, 0], "rating": 3.0}
    )
    graph = build_hypergraph(frame, n_users=6, order=4)
    walks = sample_walks(graph, repetitions=20, depth=12, rng=np.random.default_rng(3))
    incidence = np.zeros((6, 6), dtype=bool)  # edge x user, from the stored entries
    coo = graph.weights.tocoo()
    incidence[coo.row, coo.col] = True
    together = (incidence.T.astype(int) @ incidence.astype(int)) > 0  # share some edge
    assert together[walks[:, :-1], walks[:, 1:]].all()
    assert walks.shape == (6 * 20, 13)
    assert (walks[walks[:, 0] == 5] == 5).all()  # the user without rows stays put


def test_same_seed_same_walks_and_another_seed_other_walks():
    first = sample_walks(tiny(), 3, 6, np.random.default_rng(7))
    again = sample_walks(tiny(), 3, 6, np.random.default_rng(7))
    other = sample_walks(tiny(), 3, 6, np.random.default_rng(8))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    np.testing.assert_array_equal(first[:, 0], np.repeat(np.arange(4), 3))


def test_a_hyperedge_of_zero_weights_is_crossed_uniformly():
    weights = sp.csr_matrix(
        (np.zeros(3, dtype=np.float32), np.array([0, 1, 1]), np.array([0, 2, 3])), shape=(2, 2)
    )
    walks = sample_walks(UserHypergraph(weights), 3000, 1, np.random.default_rng(4))
    from_one = walks[walks[:, 0] == 1, 1]
    share_of_zero = np.mean(from_one == 0)
    # From 1: e0 (size 2) w.p. 2/3 then 0 or 1 uniformly; e1 = {1} w.p. 1/3.
    assert abs(share_of_zero - 1 / 3) < 0.03


def test_distinct_users_per_walk():
    walks = np.array([[0, 1, 0, 2], [3, 3, 3, 3]])
    assert distinct_per_walk(walks).tolist() == [3, 1]
