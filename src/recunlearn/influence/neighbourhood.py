"""Bipartite neighbourhoods over the interaction rows: Algorithm 1 pruning (IFRU,
Section 3.2) and the rows whose prediction a graph change or a parameter reaches.

Nodes are numbered users first (0..n_users-1), then items (n_users + item id). The
adjacency matrices depend on D only, so :class:`Neighbourhoods` is formed once (the
influence methods' ``prepare``) and each request walks it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch

from recunlearn.influence.objective import Selection


def bipartite_adjacency(rows: pd.DataFrame, n_users: int, n_items: int) -> sp.csr_matrix:
    """Symmetric 0/1 adjacency of the user-item graph with an edge per row."""
    n = n_users + n_items
    users = rows["user"].to_numpy()
    items = rows["item"].to_numpy() + n_users
    data = np.ones(2 * len(rows))
    matrix = sp.csr_matrix((data, (np.r_[users, items], np.r_[items, users])), shape=(n, n))
    matrix.data[:] = 1.0  # duplicate rows count once
    return matrix


@dataclass(frozen=True)
class Neighbourhoods:
    """The adjacency matrices a request walks, formed from D alone.

    Attributes:
        pruning: the adjacency whose rows are Algorithm 1's N_v: D's positive rows (the
            paper: "the set of items positively interacted by u"), or every labelled row
            under the ``all`` reading.
        graph: the adjacency of D's positive rows, the graph LightGCN propagates over
            (spillover and the Hessian rows of graph backbones walk it).
        n_users: offset of the item nodes.
    """

    pruning: sp.csr_matrix
    graph: sp.csr_matrix
    n_users: int

    @classmethod
    def of(
        cls, rows: pd.DataFrame, n_users: int, n_items: int, positive_only: bool = True
    ) -> Neighbourhoods:
        """The neighbourhoods of the rows of D (``positive_only``: N_v from positive rows)."""
        graph = bipartite_adjacency(rows[rows["label"] == 1], n_users, n_items)
        pruning = graph if positive_only else bipartite_adjacency(rows, n_users, n_items)
        return cls(pruning, graph, n_users)

    def inverse_degree(self) -> np.ndarray:
        """1 / |N_v| per node (0 for a node without neighbours)."""
        degree = np.asarray(self.pruning.sum(axis=1)).ravel()
        return np.divide(1.0, degree, out=np.zeros_like(degree), where=degree > 0)


def expand(mask: np.ndarray, adjacency: sp.csr_matrix, hops: int) -> np.ndarray:
    """Nodes within ``hops`` edges of the nodes in ``mask``."""
    reached = mask.copy()
    for _ in range(hops):
        reached = reached | (adjacency @ reached.astype(np.float64) > 0)
    return reached


def node_mask(rows: pd.DataFrame, n_users: int, n_items: int) -> np.ndarray:
    """Boolean mask of the users and items that appear in ``rows``."""
    mask = np.zeros(n_users + n_items, dtype=bool)
    mask[rows["user"].to_numpy()] = True
    mask[rows["item"].to_numpy() + n_users] = True
    return mask


def rows_touching(rows: pd.DataFrame, mask: np.ndarray, n_users: int) -> pd.DataFrame:
    """The rows whose user or item is in ``mask``."""
    hit = mask[rows["user"].to_numpy()] | mask[rows["item"].to_numpy() + n_users]
    return rows[hit]


def spillover_rows(train: pd.DataFrame, neighbourhoods: Neighbourhoods, hops: int) -> pd.DataFrame:
    """D_c: rows of D - D_r whose prediction can change when D_r's edges leave the graph.

    The graph's edges are D's positive rows, so the removed edges are D_r's positive
    rows. With ``hops`` propagation layers, the final embedding of every node within
    ``hops`` edges of a removed edge's endpoint can change (its own or a neighbour's
    degree normalisation changes), so D_c is every retained row touching such a
    node: an exact superset of Eq. 10 (extra rows add zero to L_s). ``hops = 0``
    (MF) gives the empty set.
    """
    if hops == 0:
        return train.iloc[0:0]
    removed = train[train["forget"] & (train["label"] == 1)]
    retain = train[~train["forget"]]
    if removed.empty:
        return retain.iloc[0:0]
    n_users, n_nodes = neighbourhoods.n_users, neighbourhoods.graph.shape[0]
    start = node_mask(removed, n_users, n_nodes - n_users)
    affected = expand(start, neighbourhoods.graph, hops)
    return rows_touching(retain, affected, n_users)


def _keep_top(candidates: np.ndarray, scores: np.ndarray, ratio: float) -> np.ndarray:
    """Mask of the ``ratio`` share of candidate nodes with the highest scores."""
    index = np.flatnonzero(candidates)
    n_keep = int(round(ratio * len(index)))
    order = index[np.argsort(-scores[index], kind="stable")]
    kept = np.zeros_like(candidates)
    kept[order[:n_keep]] = True
    return kept


def prune(forget: pd.DataFrame, neighbourhoods: Neighbourhoods, ratios: list[float]) -> Selection:
    """IFRU Algorithm 1: importance-scored users and items to keep, with ratios (a_0..a_K).

    Neighbourhoods N_v are ``neighbourhoods.pruning``'s rows (D's positive rows by
    default, as in the paper). Part 1 scores D_r's users and items by the sum of
    1/|N_v| over their D_r rows and keeps the top a_0 share; Part 2 spreads s^{k-1} of
    the kept (k-1)-order nodes to their neighbours v' with weight 1/|N_v'| and keeps
    the top a_k share of those neighbours.
    """
    adjacency, n_users = neighbourhoods.pruning, neighbourhoods.n_users
    n_items = adjacency.shape[0] - n_users
    inverse_degree = neighbourhoods.inverse_degree()
    endpoints = np.r_[forget["user"].to_numpy(), forget["item"].to_numpy() + n_users]
    scores = np.bincount(
        endpoints, weights=inverse_degree[endpoints], minlength=len(inverse_degree)
    )
    kept = _keep_top(node_mask(forget, n_users, n_items), scores, ratios[0])
    selected = kept.copy()
    for ratio in ratios[1:]:
        spread = inverse_degree * (adjacency @ np.where(kept, scores, 0.0))
        candidates = adjacency @ kept.astype(np.float64) > 0
        scores = scores + spread
        kept = _keep_top(candidates, scores, ratio)
        selected |= kept
    users = np.flatnonzero(selected[:n_users])
    items = np.flatnonzero(selected[n_users:])
    return Selection(
        torch.as_tensor(users, dtype=torch.long), torch.as_tensor(items, dtype=torch.long)
    )
