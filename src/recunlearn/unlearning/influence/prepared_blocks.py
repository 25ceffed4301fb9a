"""The inverted per-node blocks an influence method prepares: the block-Jacobi
preconditioner's (every user and item, in its precision) and, where CG eliminates one
side of a bipartite Hessian (MF), that side's exact ones
(:mod:`recunlearn.influence.elimination`). Both come from one inversion of the node
blocks of D at the model, with the prepared damping."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import torch

from recunlearn.influence.blocks import (
    bfloat16_blocks_are_fast,
    inverse_blocks,
    rounded_blocks,
)
from recunlearn.influence.elimination import eliminated_side
from recunlearn.models.base import Recommender
from recunlearn.unlearning.base import PrepareContext
from recunlearn.unlearning.influence.config import SolverConfig
from recunlearn.unlearning.influence.prepared import InfluenceState


def with_blocks(
    state: InfluenceState, cfg: SolverConfig, context: PrepareContext
) -> InfluenceState:
    """``state`` with the inverted node blocks it lacks and ``cfg`` uses: the
    preconditioner's (in its precision) and the eliminated side's (exact)."""
    model, rows = context.original, context.train_rows
    preconditioner = state.inverse_blocks is None and cfg.preconditioned(closed_form=True)
    eliminated = state.eliminated_blocks is None and cfg.eliminates(True, propagates(model))
    if not (preconditioner or eliminated) or state.curvature is None:
        return state
    penalty = node_penalty(rows, model.n_users, model.n_items, context.train_config.l2)
    inverse = inverse_blocks(state.curvature.node_blocks(penalty), state.damping)
    if eliminated:
        side = eliminated_side(model.n_users, model.n_items)
        own = inverse[: model.n_users] if side == "users" else inverse[model.n_users :]
        state = replace(state, eliminated_blocks=own.clone())
    if preconditioner:
        fast = bfloat16_blocks_are_fast(inverse.device)
        precision = getattr(torch, cfg.preconditioner_dtype(fast))
        rounded = inverse if precision == inverse.dtype else rounded_blocks(inverse, precision)
        state = replace(state, inverse_blocks=rounded)
    return state


def propagates(model: Recommender) -> bool:
    """Whether the backbone's final embeddings mix nodes (a graph: LightGCN), which
    makes its restricted Hessian not bipartite; MF's are its ego embeddings."""
    return model.graph_hops > 0


def node_penalty(rows: pd.DataFrame, n_users: int, n_items: int, l2: float) -> torch.Tensor:
    """2 l2 n_a for every node a (n_a: its rows in ``rows``), its L2 curvature."""
    users = np.bincount(rows["user"].to_numpy(), minlength=n_users)
    items = np.bincount(rows["item"].to_numpy(), minlength=n_items)
    return torch.from_numpy(2 * l2 * np.r_[users, items].astype(np.float64))
