"""The rows (u, i) of some interactions as one symmetric sparsity pattern over users and items.

Node a < n_users is user a and node n_users + i is item i; each row puts a nonzero at
(u, n_users + i) and its twin at (n_users + i, u). The CSR structure is built once,
so a sampled dense-dense product (every row's dot product) and a product with the CSR
matrix of one value per nonzero (scattering every row's value onto both its nodes'
embeddings) are single passes over the nonzeros. Used by the influence methods'
closed-form curvature (:mod:`recunlearn.influence.dot_product`) and by RecEraser's
aggregator (:mod:`recunlearn.models.attention`).
"""

from __future__ import annotations

import warnings

import torch


class RowPattern:
    """Rows (u, i) as a symmetric N x N CSR pattern: nonzeros (u, n_users + i) and back.

    Args:
        users, items: the rows' ids.
        n_users: offset of the item nodes.
        n_nodes: N, users plus items.
    """

    def __init__(
        self, users: torch.Tensor, items: torch.Tensor, n_users: int, n_nodes: int
    ) -> None:
        n_rows = len(users)
        source = torch.cat([users, items + n_users])
        target = torch.cat([items + n_users, users])
        order = torch.argsort(source, stable=True)  # CSR needs rows, not columns, sorted
        position = torch.empty_like(order)
        position[order] = torch.arange(len(order), device=order.device)
        self.row_of = order % max(n_rows, 1)
        """The row each nonzero belongs to."""
        self.mirror = position[(order + n_rows) % max(2 * n_rows, 1)]
        """The position of each nonzero's transposed twin."""
        self._structure(source[order], target[order], n_nodes)

    def _structure(self, source: torch.Tensor, target: torch.Tensor, n_nodes: int) -> None:
        """The CSR structure of nonzeros (``source``, sorted; ``target``)."""
        self.source, self.target = source, target
        counts = torch.bincount(source, minlength=n_nodes)
        self.crow = torch.cat([counts.new_zeros(1), torch.cumsum(counts, 0)])
        self.shape = (n_nodes, n_nodes)
        self._ones: torch.Tensor | None = None
        self._row_positions: torch.Tensor | None = None
        # 32-bit CSR indices: CPU sparse kernels convert 64-bit ones on every call
        self._compressed = (self.crow.int(), self.target.int())

    @classmethod
    def from_parts(cls, parts: dict[str, torch.Tensor], n_nodes: int) -> RowPattern:
        """The pattern whose :meth:`parts` these are (a stored pattern)."""
        pattern = object.__new__(cls)
        pattern.row_of, pattern.mirror = parts["row_of"], parts["mirror"]
        pattern._structure(parts["source"], parts["target"], n_nodes)
        return pattern

    def parts(self) -> dict[str, torch.Tensor]:
        """The tensors the pattern is rebuilt from (:meth:`from_parts`)."""
        names = ("row_of", "mirror", "source", "target")
        return {name: getattr(self, name) for name in names}

    def subset(self, keep_rows: torch.Tensor) -> RowPattern:
        """The pattern of the rows ``keep_rows`` (a boolean mask over the rows) marks,
        with its rows renumbered in order: the pattern those rows alone build, without
        sorting again (a stable sort keeps the kept nonzeros' order)."""
        keep = keep_rows[self.row_of]
        position = torch.cumsum(keep, 0) - 1
        parts = {
            "row_of": (torch.cumsum(keep_rows, 0) - 1)[self.row_of[keep]],
            "mirror": position[self.mirror[keep]],
            "source": self.source[keep],
            "target": self.target[keep],
        }
        return RowPattern.from_parts(parts, self.shape[0])

    def matrix(self, values: torch.Tensor) -> torch.Tensor:
        """The CSR matrix with ``values`` (one per nonzero) on this pattern."""
        with warnings.catch_warnings():  # torch calls its CSR support "beta"
            warnings.simplefilter("ignore", UserWarning)
            return torch.sparse_csr_tensor(
                *self._compressed, values, self.shape, check_invariants=False
            )

    def sampled(self, left: torch.Tensor, right: torch.Tensor) -> torch.Tensor:
        """<left_a, right_b> at every nonzero (a, b), in the pattern's order."""
        if self._ones is None or self._ones.dtype != left.dtype:
            self._ones = self.matrix(
                torch.ones(len(self.target), dtype=left.dtype, device=left.device)
            )
        return torch.sparse.sampled_addmm(self._ones, left, right.T, beta=0.0).values()

    def row_positions(self) -> torch.Tensor:
        """Each row's nonzero (u, n_users + i): where :meth:`sampled` puts the row's dot
        product and :meth:`matrix` takes the value that reaches its user."""
        if self._row_positions is None:
            user_side = self.source < self.target  # users come before every item node
            nonzeros = torch.arange(len(self.source), device=self.source.device)
            positions = torch.empty(int(user_side.sum()), dtype=torch.long, device=nonzeros.device)
            self._row_positions = positions.index_copy_(
                0, self.row_of[user_side], nonzeros[user_side]
            )
        return self._row_positions
