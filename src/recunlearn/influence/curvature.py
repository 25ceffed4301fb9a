"""The curvature an influence method inverts: which product, and how much damping.

- :func:`hessian_operator`: the closed-form products of :mod:`dot_product` for backbones
  with a linear propagation and a dot-product head (MF, LightGCN), ``torch.func``
  products of the forward pass for any other backbone (or on request).
- :func:`training_spectrum`: a Lanczos estimate of the spectrum of the Hessian of the
  summed training loss on D in *all* embeddings. By Cauchy's interlacing theorem the
  lowest eigenvalue of any principal submatrix (the Hessian restricted to the embeddings
  a request moves, Eq. 17-18) is at least the full matrix's, so one estimate, made on D
  and the model before any request, serves every request. It is an estimate, not a
  bound (:mod:`recunlearn.influence.spectrum`); CG raises the damping where it meets
  non-positive curvature.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import torch

from recunlearn.influence.dot_product import DotProductCurvature, RowCurvature, terms_gradient
from recunlearn.influence.objective import EmbeddingObjective, LossTerm, Selection
from recunlearn.influence.spectrum import SpectrumEstimate, lanczos_extremes
from recunlearn.models.base import Recommender

HVP = Callable[[torch.Tensor], torch.Tensor]


def hessian_operator(
    objective: EmbeddingObjective,
    rows: pd.DataFrame,
    exact: bool,
    closed_form: bool,
    terms: RowCurvature | None = None,
) -> tuple[HVP, DotProductCurvature | None]:
    """v -> H v (``exact``) or GN v of the summed loss of ``rows`` in phi.

    Returns the closed-form curvature too (for its diagonal blocks) when it is used:
    ``closed_form`` asks for it and the backbone has a linear propagation. ``terms``:
    the rows' per-row curvature when already formed (see :class:`RowCurvature`).
    """
    propagation = objective.model.linear_propagation() if closed_form else None
    if propagation is not None:
        curvature = DotProductCurvature(objective, rows, propagation, terms)
        return curvature.hessian_product(exact), curvature
    if exact:
        return objective.hessian_vector_product(objective.summed_loss(rows), scale=1.0), None
    return objective.gauss_newton_vector_product(rows), None


def removed_gradient(
    objective: EmbeddingObjective, terms: list[LossTerm], closed_form: bool
) -> torch.Tensor:
    """b: the gradient in phi of the signed sum of ``terms``, in closed form where the
    backbone allows it (as :func:`hessian_operator`), else by ``torch.func``."""
    model = objective.model
    if closed_form and model.linear_propagation() is not None:
        return terms_gradient(objective, terms, model.linear_propagation)
    return objective.gradient(objective.terms_loss(terms))


def training_spectrum(
    model: Recommender,
    rows: pd.DataFrame,
    l2: float,
    exact: bool,
    steps: int,
    generator: torch.Generator,
    closed_form: bool = True,
    terms: RowCurvature | None = None,
) -> SpectrumEstimate:
    """Lanczos estimate of the extreme eigenvalues of the summed-loss Hessian (or GN
    matrix) of ``rows`` in every user and item embedding; ``generator`` (CPU) draws the
    start vector; ``terms``: the rows' per-row curvature when already formed."""
    device = model.user_embedding.device
    everything = Selection(torch.arange(model.n_users), torch.arange(model.n_items))
    objective = EmbeddingObjective(model, everything, l2)
    product, _ = hessian_operator(objective, rows, exact, closed_form, terms)
    phi = objective.initial()
    start = torch.randn(phi.shape, generator=generator, dtype=torch.float64)
    return lanczos_extremes(product, start.to(device=device, dtype=phi.dtype), steps)
