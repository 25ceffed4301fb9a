"""Training losses as functions of a flat vector of selected embedding rows.

Influence methods move only some users' and items' ego embeddings (phi); the rest
(psi) stays fixed. :class:`EmbeddingObjective` exposes the summed training loss of a
set of rows as a function of phi, evaluated through the backbone's own forward pass
(``torch.func.functional_call``), optionally over another interaction graph. So a
method never needs to know which backbone it is differentiating.

How the Hessian treats graph propagation: the adjacency (a function of the data,
not of the parameters) is a constant. H is the exact second derivative, with
respect to phi, of the mean training loss over D computed on D's graph; a graph
change enters only through the spillover term, never through H.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import torch
from torch.func import functional_call, grad, vjp

from recunlearn.models.base import Recommender, row_loss_terms
from recunlearn.predictions import rows_to_tensors


@dataclass(frozen=True)
class Selection:
    """The users and items whose ego embeddings move (phi), as sorted id tensors."""

    users: torch.Tensor
    items: torch.Tensor

    def size(self, dim: int) -> int:
        return (len(self.users) + len(self.items)) * dim


@dataclass(frozen=True)
class LossTerm:
    """``sign`` times the summed training loss of ``rows``, over D's graph or ``graph``.

    Influence methods describe the loss whose gradient is b as a signed sum of these
    (IFRU: D_r plus spillover on the old graph minus spillover on the new one), so b
    can be formed in closed form or by autograd alike.
    """

    rows: pd.DataFrame
    sign: float = 1.0
    graph: dict[str, torch.Tensor] | None = None


class EmbeddingObjective:
    """Losses of ``model`` as functions of the selected embedding rows.

    Args:
        model: the trained backbone (never modified).
        selection: which embedding rows form phi.
        l2: the training L2 weight (part of each row's loss).
    """

    def __init__(self, model: Recommender, selection: Selection, l2: float) -> None:
        self.model, self.selection, self.l2 = model, selection, l2
        device = model.user_embedding.device
        self.users = selection.users.to(device)
        self.items = selection.items.to(device)
        self.base_user = model.user_embedding.detach()
        self.base_item = model.item_embedding.detach()
        self.params = {name: p.detach() for name, p in model.named_parameters()}
        self.buffers = {name: b for name, b in model.named_buffers()}
        self.dim = model.embedding_dim

    def moved_to(self, phi: torch.Tensor) -> EmbeddingObjective:
        """The same objective with phi's values as the new starting point."""
        moved = copy.copy(self)
        moved.base_user, moved.base_item = self.embeddings(phi.detach())
        return moved

    def initial(self) -> torch.Tensor:
        """phi at the trained parameters."""
        return torch.cat(
            [self.base_user[self.users].reshape(-1), self.base_item[self.items].reshape(-1)]
        )

    def embeddings(self, phi: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Full (user, item) ego embedding matrices with phi written into the selected rows."""
        n_user_values = len(self.users) * self.dim
        users = self.base_user.index_copy(0, self.users, phi[:n_user_values].view(-1, self.dim))
        items = self.base_item.index_copy(0, self.items, phi[n_user_values:].view(-1, self.dim))
        return users, items

    def logits(
        self, phi: torch.Tensor, rows: pd.DataFrame, graph: dict[str, torch.Tensor] | None = None
    ) -> torch.Tensor:
        """Each row's logit at phi, over D's graph or over ``graph``."""
        user_emb, item_emb = self.embeddings(phi)
        users, items, _ = rows_to_tensors(rows, user_emb.device)
        state = {**self.params, **self.buffers, **(graph or {})}
        state["user_embedding"], state["item_embedding"] = user_emb, item_emb
        return functional_call(self.model, state, (users, items))

    def row_losses(
        self, phi: torch.Tensor, rows: pd.DataFrame, graph: dict[str, torch.Tensor] | None = None
    ) -> torch.Tensor:
        """Each row's training loss at phi, over D's graph or over ``graph``."""
        user_emb, item_emb = self.embeddings(phi)
        users, items, labels = rows_to_tensors(rows, user_emb.device)
        logits = self.logits(phi, rows, graph)
        return row_loss_terms(logits, labels, user_emb, item_emb, users, items, self.l2)

    def summed_loss(
        self, rows: pd.DataFrame, graph: dict[str, torch.Tensor] | None = None
    ) -> Callable[[torch.Tensor], torch.Tensor]:
        """phi -> sum of the row losses of ``rows``."""
        return lambda phi: self.row_losses(phi, rows, graph).sum()

    def gradient(self, loss: Callable[[torch.Tensor], torch.Tensor]) -> torch.Tensor:
        """d loss / d phi at the trained parameters."""
        return grad(loss)(self.initial())

    def terms_loss(self, terms: list[LossTerm]) -> Callable[[torch.Tensor], torch.Tensor]:
        """phi -> the signed sum of the terms' summed losses."""
        losses = [(term.sign, self.summed_loss(term.rows, term.graph)) for term in terms]
        return lambda phi: sum(sign * loss(phi) for sign, loss in losses)

    def hessian_vector_product(
        self, loss: Callable[[torch.Tensor], torch.Tensor], scale: float
    ) -> Callable[[torch.Tensor], torch.Tensor]:
        """v -> scale * (d^2 loss / d phi^2) v at the trained parameters.

        Reverse-over-reverse with ``torch.func``: the gradient's graph is built once
        and each product is one vector-Jacobian product of it (forward-mode AD is not
        implemented for sparse matrix products, which LightGCN uses).
        """
        _, gradient_vjp = vjp(grad(loss), self.initial())
        return lambda vector: scale * gradient_vjp(vector)[0]

    def gauss_newton_vector_product(
        self, rows: pd.DataFrame
    ) -> Callable[[torch.Tensor], torch.Tensor]:
        """v -> (J^T diag(s'(x)) J + H_L2) v for the summed loss of ``rows``.

        The generalised Gauss-Newton matrix drops the (s(x) - y) * d^2 x term of the
        exact Hessian, so it is positive semi-definite even away from a minimum (an
        early-stopped model). J v is obtained as the VJP of the linear map w -> J^T w
        (forward-mode AD does not support sparse products).
        """
        phi = self.initial()
        logits, logits_vjp = vjp(lambda p: self.logits(p, rows), phi)
        curvature = torch.sigmoid(logits) * torch.sigmoid(-logits)
        _, jacobian_vjp = vjp(lambda w: logits_vjp(w)[0], torch.zeros_like(logits))
        penalty = self.l2_hessian_diagonal(rows)

        def product(vector: torch.Tensor) -> torch.Tensor:
            jv = jacobian_vjp(vector)[0]
            return logits_vjp(curvature * jv)[0] + penalty * vector

        return product

    def l2_hessian_diagonal(self, rows: pd.DataFrame) -> torch.Tensor:
        """The Hessian of the rows' summed L2 term in phi, which is diagonal.

        Each row adds l2 (|e_u|^2 + |e_i|^2) on its ego embeddings (``row_loss_terms``),
        so an embedding row of phi has curvature 2 l2 n, n its number of rows (none
        without L2: then the rows are not counted).
        """
        if self.l2 == 0:
            return self.base_user.new_zeros(self.selection.size(self.dim))
        users, items, _ = rows_to_tensors(rows, self.base_user.device)
        dtype = self.base_user.dtype
        user_counts = torch.bincount(users, minlength=len(self.base_user)).to(dtype)
        item_counts = torch.bincount(items, minlength=len(self.base_item)).to(dtype)
        counts = torch.cat([user_counts[self.users], item_counts[self.items]])
        return (2 * self.l2 * counts).repeat_interleave(self.dim)
