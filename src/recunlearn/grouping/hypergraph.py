"""The user hypergraph with edge-dependent vertex weights (LASER, Li et al. 2024, App. A.2).

- Vertex rule: every user id 0..N-1 is a vertex.
- Hyperedge rule: user i's hyperedge e_i holds its l-order reachable neighbours
  (Definition 1): users joined to i in the user-item bipartite graph by a path of
  fewer than l vertices. A user-to-user path has 2k + 1 vertices for k co-rating hops,
  so e_i holds the users within K = floor((l - 2) / 2) hops, i itself included (the
  one-vertex path). l = 4, the paper's value, gives i and every user sharing an item.
- Weight rule: w(i, j) is "the average rating of user j within user i's l-order
  reachable neighbours". Our reading: the neighbourhood's items are the items on such
  paths, i.e. items rated by a user within M = floor((l - 3) / 2) hops of i, and
  w(i, j) is the mean of j's ratings over those items. For l = 4 that is the mean of
  j's ratings on the items i and j share (w(i, i) is i's mean rating). The set is
  never empty for j in e_i.

Readings of points the paper leaves open:

- A NaN rating (a fake row injected by poisoning) is an interaction whose value is
  unknown: the edge stays in the bipartite graph and its rating is imputed with that
  user's mean observed rating (the global mean if the user has none, 1 if no rating is
  observed at all). Duplicate (user, item) rows are averaged. ``label`` is not used.
- A user with no training row gets a private virtual item rated 1, so e_i = {i} with
  w(i, i) = 1: its walks stay on itself and Word2Vec still gives it a vector.
- Ratings must be >= 0. A weight of 0 is kept as a stored entry (membership is the
  sparsity structure, never the value), so zero-rated datasets keep their hyperedges.

Memory (l = 4): the hyperedges are the pattern of B B^T (B the N x I incidence), so
nnz(H) <= min(N^2, sum_t d_t^2) + N_rowless, with d_t the number of users of item t.
The result takes 8 nnz(H) + 4 (N + 1) bytes (float32 weights, int32 indices); building
it holds one complex64 product of that pattern (rating sums and counts together) and
the weights, so the peak is about 16 nnz(H) bytes plus O(nnz(R) + N). No
N x N dense array is formed. Larger l grow towards N^2; on MovieLens even l = 4 is
nearly complete (almost every two users share an item), which the bound allows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recunlearn.errors import DataValidationError

REQUIRED_COLUMNS = ("user", "item", "rating")


@dataclass(frozen=True)
class UserHypergraph:
    """Row i of ``weights`` is hyperedge e_i; its stored entries are the members j
    with their weights w(i, j) (CSR, float32; explicit zeros are members)."""

    weights: sp.csr_matrix

    @property
    def n_users(self) -> int:
        return int(self.weights.shape[0])

    @property
    def sizes(self) -> np.ndarray:
        """|e_i| for every hyperedge."""
        return np.diff(self.weights.indptr)

    @property
    def nbytes(self) -> int:
        w = self.weights
        return int(w.data.nbytes + w.indices.nbytes + w.indptr.nbytes)


def clean_ratings(train: pd.DataFrame, n_users: int) -> pd.DataFrame:
    """Checked (user, item, rating) rows, NaN ratings imputed, duplicates averaged."""
    missing = [c for c in REQUIRED_COLUMNS if c not in train.columns]
    if missing:
        raise DataValidationError(f"grouping: training rows lack column(s) {missing}")
    frame = train[list(REQUIRED_COLUMNS)].copy()
    for name in ("user", "item"):
        if not pd.api.types.is_integer_dtype(frame[name]):
            raise DataValidationError(f"grouping: column '{name}' must hold integer ids")
    if len(frame) and (frame["user"].min() < 0 or frame["user"].max() >= n_users):
        raise DataValidationError(f"grouping: column 'user' must lie in [0, {n_users})")
    if len(frame) and frame["item"].min() < 0:
        raise DataValidationError("grouping: column 'item' must hold ids >= 0")
    rating = frame["rating"].astype(float)
    if np.isinf(rating).any() or (rating < 0).any():
        raise DataValidationError("grouping: column 'rating' must be finite, >= 0 or NaN")
    observed_mean = rating.mean() if rating.notna().any() else 1.0
    per_user = rating.groupby(frame["user"]).transform("mean")
    frame["rating"] = rating.fillna(per_user).fillna(observed_mean)
    if frame.duplicated(["user", "item"]).any():
        frame = frame.groupby(["user", "item"], as_index=False)["rating"].mean()
    return frame.reset_index(drop=True)


def rating_matrix(train: pd.DataFrame, n_users: int) -> sp.csr_matrix:
    """R, the N x I user-item rating matrix of the cleaned rows (BKM's input)."""
    frame = clean_ratings(train, n_users)
    n_items = int(frame["item"].max()) + 1 if len(frame) else 1
    users, items = frame["user"].to_numpy(), frame["item"].to_numpy()
    return sp.csr_matrix(
        (frame["rating"].to_numpy(np.float64), (users, items)), shape=(n_users, n_items)
    )


def _incidence(frame: pd.DataFrame, n_users: int) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """B (float32 ones) and B_c = (R + B) + iB (complex64), with virtual items for rowless users.

    One product items @ B_c^T then carries, per (i, j), the sum of j's (rating + 1) in
    its real part and the number of items summed in its imaginary part: a single sparse
    product, and no entry can cancel to 0 (the imaginary part is >= 1).
    """
    users, items = frame["user"].to_numpy(), frame["item"].to_numpy()
    values = frame["rating"].to_numpy(np.float64)
    rowless = np.setdiff1d(np.arange(n_users), users)
    n_items = (int(items.max()) + 1 if len(items) else 0) + len(rowless)
    users = np.r_[users, rowless]
    items = np.r_[items, n_items - len(rowless) + np.arange(len(rowless))]
    values = np.r_[values, np.ones(len(rowless))]
    shape = (n_users, n_items)
    ones = sp.csr_matrix((np.ones(len(users), np.float32), (users, items)), shape=shape)
    paired = (values + 1.0 + 1.0j).astype(np.complex64)
    return ones, sp.csr_matrix((paired, (users, items)), shape=shape)


def _pattern(matrix: sp.csr_matrix) -> sp.csr_matrix:
    out = matrix.astype(np.float32, copy=True)
    out.data[:] = 1.0
    return out


def _within_hops(co: sp.csr_matrix, hops: int) -> sp.csr_matrix:
    """Pattern of users within ``hops`` co-rating hops (identity for 0)."""
    reach = sp.identity(co.shape[0], dtype=np.float32, format="csr")
    for _ in range(hops):
        reach = _pattern(reach @ co)
    return reach


def _neighbourhood_sums(ones: sp.csr_matrix, paired: sp.csr_matrix, order: int) -> sp.csr_matrix:
    """Per (i, j) with j in e_i: sum of j's (rating + 1) + i * count over i's items."""
    user_hops, item_hops = (order - 2) // 2, (order - 3) // 2
    restrict = order % 2 == 1 and user_hops > 0  # items reach one hop past the members
    co = _pattern(ones @ ones.T) if item_hops > 0 or restrict else None
    items = ones if item_hops == 0 else _pattern(_within_hops(co, item_hops) @ ones)
    sums = items @ paired.T
    if order == 3:
        return sums.multiply(sp.identity(ones.shape[0], dtype=np.float32, format="csr")).tocsr()
    if restrict:
        return sums.multiply(_within_hops(co, user_hops)).tocsr()
    return sums


def build_hypergraph(train: pd.DataFrame, n_users: int, order: int = 4) -> UserHypergraph:
    """The hypergraph of App. A.2 (see the module docstring for the exact rules).

    Args:
        train: Training rows with int ``user``, ``item`` and float ``rating`` (NaN allowed).
        n_users: N; user ids are 0..N-1, users without rows included.
        order: l of Definition 1, in [3, 7].

    Returns:
        The hypergraph: hyperedge e_i is row i of a sparse N x N weight matrix.
    """
    if not 3 <= order <= 7:
        raise ValueError(f"order must be in [3, 7], got {order}")
    ones, paired = _incidence(clean_ratings(train, n_users), n_users)
    sums = _neighbourhood_sums(ones, paired, order)
    weights = np.divide(sums.data.real, sums.data.imag, dtype=np.float32)
    np.subtract(weights, 1.0, out=weights)
    np.maximum(weights, 0.0, out=weights)
    matrix = sp.csr_matrix((weights, sums.indices, sums.indptr), shape=(n_users, n_users))
    return UserHypergraph(weights=matrix)
