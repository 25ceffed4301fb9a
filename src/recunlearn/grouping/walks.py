"""Random walks on the user hypergraph (LASER, Li et al. 2024, Algorithm 3).

From user v the walker picks a hyperedge e containing v with probability
|e| / sum_{e' containing v} |e'|, then a member u of e with probability
w(e, u) / sum_{u' in e} w(e, u'); u is the next user. The user-to-user transition
matrix is therefore P = D^-1 H^T diag(|e|) D_w^-1 W, with H the edge x user
incidence, W the edge x user weights, D and D_w the normalisers.

Every walker moves at once: one step is two vectorised draws, one per stage, each
a ``searchsorted`` into per-row cumulative probabilities. A hyperedge whose weights
are all 0 is crossed uniformly. Walks are an int array of shape
(N * repetitions, depth + 1): the start user, then ``depth`` steps (the paper writes
the sequence length as ``dep``; its pseudo-code adds ``dep`` users to the start).
Row ``i * repetitions + r`` is the r-th walk from user i.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from recunlearn.grouping.hypergraph import UserHypergraph


@dataclass(frozen=True)
class _RowSampler:
    """Draws a column of row r with probability proportional to the row's values.

    ``keys`` hold r + (cumulative share of row r up to the entry); the last key of
    row r is exactly r + 1, so a target r + u with u in [0, 1) always lands in row r.
    """

    keys: np.ndarray
    columns: np.ndarray

    @classmethod
    def from_csr(cls, matrix: sp.csr_matrix) -> _RowSampler:
        lengths = np.diff(matrix.indptr)
        if (lengths == 0).any():
            raise ValueError("every row needs at least one entry to be sampled from")
        values = matrix.data.astype(np.float64)  # a copy, updated in place below
        flat = np.add.reduceat(values, matrix.indptr[:-1]) <= 0
        if flat.any():  # a row of zero weights is crossed uniformly
            values[np.repeat(flat, lengths)] = 1.0
        running = np.cumsum(values, out=values)
        ends = matrix.indptr[1:] - 1
        before = np.r_[0.0, running[ends[:-1]]]
        totals = running[ends] - before
        running -= np.repeat(before, lengths)
        running /= np.repeat(totals, lengths)
        np.minimum(running, 1.0, out=running)
        running[ends] = 1.0
        running += np.repeat(np.arange(len(lengths), dtype=np.float64), lengths)
        return cls(keys=running, columns=matrix.indices)

    def draw(self, rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One column per entry of ``rows``."""
        targets = rows + rng.random(len(rows))
        order = np.argsort(targets)  # sorted targets make each search start near the last
        found = np.empty(len(rows), dtype=np.int64)
        found[order] = np.searchsorted(self.keys, targets[order], side="right")
        return self.columns[found].astype(np.int64)


def _edge_choice(hypergraph: UserHypergraph) -> sp.csr_matrix:
    """User x edge matrix: row v lists the hyperedges containing v, valued |e|."""
    sizes = hypergraph.sizes.astype(np.float64)
    membership = sp.csr_matrix(
        (sizes.repeat(hypergraph.sizes), hypergraph.weights.indices, hypergraph.weights.indptr),
        shape=hypergraph.weights.shape,
    )
    return membership.T.tocsr()


def sample_walks(
    hypergraph: UserHypergraph, repetitions: int, depth: int, rng: np.random.Generator
) -> np.ndarray:
    """Algorithm 3: ``repetitions`` walks of ``depth`` steps from every user.

    Args:
        hypergraph: The user hypergraph (every user lies in at least its own edge).
        repetitions: Walks started per user (rep).
        depth: Steps per walk (dep), >= 1.
        rng: The walk's random stream.

    Returns:
        int64 array (N * repetitions, depth + 1) of user ids.
    """
    if repetitions < 1 or depth < 1:
        raise ValueError(f"repetitions and depth must be >= 1, got {repetitions}, {depth}")
    to_edge = _RowSampler.from_csr(_edge_choice(hypergraph))
    to_user = _RowSampler.from_csr(hypergraph.weights)
    walks = np.empty((hypergraph.n_users * repetitions, depth + 1), dtype=np.int64)
    walks[:, 0] = np.repeat(np.arange(hypergraph.n_users), repetitions)
    for step in range(1, depth + 1):
        edges = to_edge.draw(walks[:, step - 1], rng)
        walks[:, step] = to_user.draw(edges, rng)
    return walks


def distinct_per_walk(walks: np.ndarray) -> np.ndarray:
    """How many different users each walk visits."""
    ordered = np.sort(walks, axis=1)
    return 1 + (np.diff(ordered, axis=1) != 0).sum(axis=1)
