"""Closed-form curvature of dot-product backbones: Hessian- and Gauss-Newton-vector
products, gradients and the per-embedding Hessian blocks, without autograd.

For a backbone whose logit is x_r = <f_u, g_i> with final embeddings F = P E, P a fixed
symmetric linear map of the stacked ego embeddings E = [users; items]
(:meth:`Recommender.linear_propagation`: MF P = I, LightGCN P = mean of Â^k), the summed
loss of rows R, L(E) = sum_r BCE(x_r, y_r) + l2 (|e_u|^2 + |e_i|^2), has closed-form
derivatives. Write A[c] for the symmetric N x N matrix with c_r at (u_r, i_r) and at
(i_r, u_r), s_r = sigmoid(x_r) - y_r, w_r = sigmoid(x_r) (1 - sigmoid(x_r)) and n_a the
number of rows of node a. Then (IFRU Eq. 13-14 inverts this Hessian)

    grad L      = P A[s] F + 2 l2 n * E
    Hess L . V  = P (A[w * dx] F + A[s] P V) + 2 l2 n * V,  dx_r = <(PV)_u, F_i> + <F_u, (PV)_i>
    GN . V      = P A[w * dx] F + 2 l2 n * V                (generalised Gauss-Newton)

dx is a sampled dense-dense product on the rows' sparsity pattern and the rest are
products with CSR matrices whose structure is built once, so a product is a few passes
over the rows' nonzeros, with no autograd graph. Only the selected embedding rows
(phi) move: V is zero outside them and only their rows of the result are kept
(Eq. 17-18).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import torch

from recunlearn.influence.blocks import gram_per_block
from recunlearn.influence.objective import EmbeddingObjective, LossTerm
from recunlearn.models.base import Recommender
from recunlearn.models.row_pattern import RowPattern
from recunlearn.predictions import rows_to_tensors

Propagation = Callable[[torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class RowCurvature:
    """The per-row terms of the summed loss of some rows at a model: their pattern, the
    final embeddings F and, per nonzero, w_r = s(x_r) (1 - s(x_r)) and s_r = s(x_r) - y_r.

    They depend on the rows and the model only, so the influence methods form them
    once on D (``prepare``) and restrict them to each request's Hessian rows.
    """

    pattern: RowPattern
    final: torch.Tensor
    weight: torch.Tensor
    residual: torch.Tensor

    @classmethod
    def of(cls, model: Recommender, rows: pd.DataFrame, propagation: Propagation) -> RowCurvature:
        """The terms of ``rows`` at ``model`` (``propagation``: over D's graph)."""
        users, items, labels = rows_to_tensors(rows, model.user_embedding.device)
        ego = torch.cat([model.user_embedding.detach(), model.item_embedding.detach()])
        final = propagation(ego)
        pattern = RowPattern(users, items, model.n_users, model.n_users + model.n_items)
        probability = torch.sigmoid(pattern.sampled(final, final))
        residual = probability - labels.to(probability.dtype)[pattern.row_of]
        return cls(pattern, final, probability * (1 - probability), residual)

    def restricted(self, keep_rows: torch.Tensor) -> RowCurvature:
        """The terms of the rows ``keep_rows`` marks (renumbered in order)."""
        keep = keep_rows[self.pattern.row_of]
        pattern = self.pattern.subset(keep_rows)
        return RowCurvature(pattern, self.final, self.weight[keep], self.residual[keep])

    def node_blocks(self, penalty: torch.Tensor) -> torch.Tensor:
        """Every node's d x d Gauss-Newton block, sum over its rows of w_r f_b f_b^T,
        plus ``penalty`` (one L2 curvature per node) on its diagonal."""
        scaled = self.weight.sqrt()[:, None] * self.final[self.pattern.target]
        blocks = gram_per_block(scaled, self.pattern.source, self.final.shape[0])
        eye = torch.eye(self.final.shape[1], dtype=blocks.dtype, device=blocks.device)
        return blocks + penalty.to(blocks.dtype)[:, None, None] * eye


class DotProductCurvature:
    """Closed-form curvature of the summed loss of ``rows`` in the selected embeddings.

    Args:
        objective: the model, its selected embeddings (phi) and the L2 weight.
        rows: the rows whose summed loss is differentiated (the Hessian rows).
        propagation: the model's ``linear_propagation()`` (over the graph of D).
        terms: the rows' :class:`RowCurvature` when already formed (prepared on D and
            restricted to ``rows``); formed here otherwise.
    """

    def __init__(
        self,
        objective: EmbeddingObjective,
        rows: pd.DataFrame,
        propagation: Propagation,
        terms: RowCurvature | None = None,
    ) -> None:
        self.dim, self.n_users = objective.dim, objective.model.n_users
        self.propagate = propagation
        terms = terms or RowCurvature.of(objective.model, rows, propagation)
        self.final, self.pattern = terms.final, terms.pattern
        self.weight, self.residual = terms.weight, terms.residual
        self.residual_matrix = self.pattern.matrix(self.residual)
        self.selected = torch.cat([objective.users, objective.items + self.n_users])
        self.penalty = objective.l2_hessian_diagonal(rows)

    def _scatter(self, vector: torch.Tensor) -> torch.Tensor:
        """phi-shaped ``vector`` as an N x d matrix, zero outside the selected rows."""
        stacked = self.final.new_zeros(self.final.shape)
        return stacked.index_copy_(0, self.selected, vector.view(-1, self.dim))

    def product(self, vector: torch.Tensor, exact: bool) -> torch.Tensor:
        """(Hessian or Gauss-Newton matrix) . ``vector``, restricted to phi."""
        direction = self.propagate(self._scatter(vector))
        sampled = self.pattern.sampled(direction, self.final)
        change = self.weight * (sampled + sampled.index_select(0, self.pattern.mirror))
        gathered = self.pattern.matrix(change) @ self.final
        if exact:
            gathered = gathered + self.residual_matrix @ direction
        result = self.propagate(gathered).index_select(0, self.selected).reshape(-1)
        return result + self.penalty * vector

    def hessian_product(self, exact: bool) -> Callable[[torch.Tensor], torch.Tensor]:
        """v -> H v (``exact``) or GN v, for the solvers."""
        return lambda vector: self.product(vector, exact)

    def diagonal_blocks(self) -> torch.Tensor:
        """The d x d Gauss-Newton blocks with respect to each selected *final* embedding.

        Block a is sum over a's rows of w_r f_b f_b^T plus its L2 curvature, formed as
        AltEraser's AH-Newton forms its per-row Hessians (:func:`gram_per_block`). With
        P = I (MF) these are exactly the diagonal blocks of the exact Hessian and of the
        Gauss-Newton matrix (x is bilinear, so the s_r term has no diagonal block); for
        a graph backbone they ignore propagation, which a preconditioner may do: it
        changes only how fast CG converges, never its solution.
        """
        local = torch.full((self.final.shape[0],), -1, dtype=torch.long, device=self.final.device)
        local[self.selected] = torch.arange(len(self.selected), device=self.final.device)
        owner = local[self.pattern.source]
        keep = owner >= 0
        scaled = self.weight[keep].sqrt()[:, None] * self.final[self.pattern.target[keep]]
        blocks = gram_per_block(scaled, owner[keep], len(self.selected))
        eye = torch.eye(self.dim, dtype=blocks.dtype, device=blocks.device)
        return blocks + self.penalty.view(-1, self.dim)[:, :1, None] * eye


def terms_gradient(
    objective: EmbeddingObjective,
    terms: list[LossTerm],
    propagation_for: Callable[[dict[str, torch.Tensor] | None], Propagation],
) -> torch.Tensor:
    """d/d phi of the signed sum of the terms' summed losses: P A[s] F + 2 l2 n * E each.

    ``propagation_for(graph)``: the model's ``linear_propagation`` over a term's graph.
    """
    ego = torch.cat([objective.base_user, objective.base_item])
    n_users, n_nodes = objective.model.n_users, ego.shape[0]
    selected = torch.cat([objective.users, objective.items + n_users])
    total = torch.zeros_like(objective.initial())
    patterns: dict[int, tuple[RowPattern, torch.Tensor]] = {}  # terms sharing their rows
    for term in terms:
        if term.rows.empty:
            continue
        propagate = propagation_for(term.graph)
        final = propagate(ego)
        if id(term.rows) not in patterns:
            users, items, labels = rows_to_tensors(term.rows, ego.device)
            patterns[id(term.rows)] = (RowPattern(users, items, n_users, n_nodes), labels)
        pattern, labels = patterns[id(term.rows)]
        logits = pattern.sampled(final, final)
        residual = torch.sigmoid(logits) - labels.to(logits.dtype)[pattern.row_of]
        gathered = propagate(pattern.matrix(residual) @ final).index_select(0, selected)
        gathered = gathered.reshape(-1)
        penalty = objective.l2_hessian_diagonal(term.rows) * objective.initial()
        total = total + term.sign * (gathered + penalty)
    return total
