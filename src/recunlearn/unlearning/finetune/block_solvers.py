"""Optimisers for AltEraser's sub-problems: move one block of embeddings (some users
with the items fixed, or the reverse) to minimise the retain loss.

Each optimiser takes an :class:`EmbeddingObjective` whose selection is the block and
the rows whose prediction depends on it, and returns the new phi. None of them can
increase the block's loss: every step is accepted only if the loss does not rise.

- ``hf_newton``: Hessian-free Newton (Martens, 2010): conjugate gradient on HVPs of
  the exact sub-problem Hessian with Levenberg-Marquardt damping (adapted by the
  ratio of actual to predicted reduction) and a backtracking line search. Works for
  any backbone: for LightGCN the loss is the propagated model's, with every other
  embedding and the graph held fixed.
- ``ah_newton``: "ad hoc" Newton with the closed-form per-row Hessian of BCE + L2,
  for backbones whose prediction is the dot product of ego embeddings (MF,
  ``graph_hops == 0``): each user's (item's) d x d system is solved in one batched
  ``torch.linalg.solve``, with a per-row backtracking line search.
- ``adamw``: the paper's first-order ablation: AdamW steps on the same sub-problem.
"""

from __future__ import annotations

import pandas as pd
import torch

from recunlearn.influence.blocks import gram_per_block
from recunlearn.influence.objective import EmbeddingObjective
from recunlearn.influence.solvers import ConjugateGradient
from recunlearn.predictions import rows_to_tensors
from recunlearn.unlearning.finetune.config import BlockConfig


class TruncatedCG(ConjugateGradient):
    """CG as Hessian-free Newton uses it (Martens 2010): ``cg_iterations`` steps towards
    the Newton direction, truncated on purpose. Stopping there is the method, so it is
    recorded in the result (``hit_cap``) but not warned about: AltEraser's HF-Newton
    printed one warning per block solve on the console of every default run."""

    warns_on_cap = False


def reduction_ratio(actual: float, slope: float, curvature: float, scale: float) -> float:
    """Levenberg-Marquardt's ratio of the actual to the predicted change of the loss.

    Both belong to the step taken, ``scale * p`` after backtracking: the quadratic
    model predicts ``scale * g.p + scale^2 / 2 * p.H.p`` (``slope = g.p``,
    ``curvature = p.H.p``). 0 when the model predicts no decrease.
    """
    predicted = scale * slope + 0.5 * scale**2 * curvature
    return actual / predicted if predicted < 0 else 0.0


def hf_newton(objective: EmbeddingObjective, rows: pd.DataFrame, cfg: BlockConfig) -> torch.Tensor:
    """Damped Newton-CG with backtracking on the block's summed loss."""
    phi, damping = objective.initial(), cfg.damping
    for _ in range(cfg.newton_steps):
        block = objective.moved_to(phi)
        loss = block.summed_loss(rows)
        gradient = block.gradient(loss)
        if float(gradient.norm()) == 0.0:
            break
        hvp = block.hessian_vector_product(loss, scale=1.0)
        step = TruncatedCG(damping, 1e-6, cfg.cg_iterations).solve(hvp, -gradient).solution
        slope, curvature = float(gradient @ step), float(step @ hvp(step))
        current = float(loss(block.initial()))
        accepted, scale = False, 1.0
        for _ in range(cfg.line_search_steps + 1):
            trial = float(loss(block.initial() + scale * step))
            if trial <= current + 1e-4 * scale * float(gradient @ step):
                accepted = True
                break
            scale *= 0.5
        if not accepted:
            damping = damping * 10 if damping > 0 else 1e-3
            continue
        ratio = reduction_ratio(trial - current, slope, curvature, scale)
        damping = damping * 2 / 3 if ratio > 0.75 else damping * 1.5 if ratio < 0.25 else damping
        phi = phi + scale * step
    return phi


def adamw(objective: EmbeddingObjective, rows: pd.DataFrame, cfg: BlockConfig) -> torch.Tensor:
    """AdamW on the block's mean loss; a step that raises the loss is undone."""
    phi = objective.initial().clone().requires_grad_(True)
    optimizer = torch.optim.AdamW([phi], lr=cfg.adamw_lr, weight_decay=0.0)
    loss = objective.summed_loss(rows)
    best = float(loss(phi.detach()))
    kept = phi.detach().clone()
    for _ in range(cfg.newton_steps):
        optimizer.zero_grad(set_to_none=True)
        value = loss(phi) / max(len(rows), 1)
        value.backward()
        optimizer.step()
        now = float(loss(phi.detach()))
        if now <= best:
            best, kept = now, phi.detach().clone()
    return kept


def ah_newton(
    objective: EmbeddingObjective, rows: pd.DataFrame, cfg: BlockConfig, side: str
) -> torch.Tensor:
    """Closed-form batched Newton for the rows' ``side`` ("user" or "item") embeddings.

    With the other side fixed at q, each row's loss is BCE(p . q, y) + l2 (|p|^2 + |q|^2),
    so for one embedding p: gradient sum (s(x) - y) q + 2 l2 n p, Hessian
    sum s(x)(1 - s(x)) q q^T + 2 l2 n I, with n its number of rows.
    """
    block = objective.users if side == "user" else objective.items
    own_ids, other_ids, labels = _row_ids(rows, side, objective.base_user.device)
    local = torch.searchsorted(block, own_ids)
    own = (objective.base_user if side == "user" else objective.base_item)[block].clone()
    other = (objective.base_item if side == "user" else objective.base_user)[other_ids]
    counts = torch.bincount(local, minlength=len(block)).to(own.dtype)
    eye = torch.eye(own.shape[1], dtype=own.dtype, device=own.device)
    for _ in range(cfg.newton_steps):
        losses, gradient, hessian = _closed_form(own, other, labels, local, counts, objective.l2)
        step = spd_solve(hessian + cfg.damping * eye, -gradient)
        scale = _backtrack(own, step, losses, other, labels, local, counts, objective.l2, cfg)
        own = own + scale[:, None] * step
    flat_other = (
        objective.base_item[objective.items]
        if side == "user"
        else objective.base_user[objective.users]
    )
    parts = [own, flat_other] if side == "user" else [flat_other, own]
    return torch.cat([parts[0].reshape(-1), parts[1].reshape(-1)])


def _backtrack(
    own, step, losses, other, labels, local, counts, l2, cfg: BlockConfig
) -> torch.Tensor:
    """Per-block step sizes: halve each block's step until its loss does not rise.

    Only the rows of blocks still pending are re-evaluated; a block that never
    stops rising gets step 0, so no block's loss can increase.
    """
    scale = torch.ones(len(own), dtype=own.dtype, device=own.device)
    accepted = torch.zeros(len(own), dtype=torch.bool, device=own.device)
    pending = torch.ones_like(accepted)
    for _ in range(cfg.line_search_steps + 1):
        rows = pending[local]
        trial = own + scale[:, None] * step
        trial_losses = _per_block_loss(trial, other[rows], labels[rows], local[rows], counts, l2)
        ok = pending & (trial_losses <= losses)
        accepted |= ok
        pending &= ~ok
        if not pending.any():
            break
        scale = torch.where(pending, scale * 0.5, scale)
    return torch.where(accepted, scale, torch.zeros_like(scale))


def spd_solve(matrices: torch.Tensor, vectors: torch.Tensor) -> torch.Tensor:
    """Batched solve of symmetric positive-definite systems (Cholesky; LU if one is not)."""
    factor, info = torch.linalg.cholesky_ex(matrices)
    if bool((info == 0).all()):
        return torch.cholesky_solve(vectors.unsqueeze(-1), factor).squeeze(-1)
    return torch.linalg.solve(matrices, vectors.unsqueeze(-1)).squeeze(-1)


def _row_ids(
    rows: pd.DataFrame, side: str, device
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    users, items, labels = rows_to_tensors(rows, device)
    return (users, items, labels) if side == "user" else (items, users, labels)


def _per_block_loss(own, other, labels, local, counts, l2) -> torch.Tensor:
    logits = (own[local] * other).sum(-1)
    bce = torch.nn.functional.binary_cross_entropy_with_logits(
        logits, labels.to(own.dtype), reduction="none"
    )
    per_block = torch.zeros(len(own), dtype=own.dtype, device=own.device).index_add_(0, local, bce)
    return per_block + l2 * counts * own.pow(2).sum(-1)


def _closed_form(own, other, labels, local, counts, l2):
    logits = (own[local] * other).sum(-1)
    prob = torch.sigmoid(logits)
    losses = _per_block_loss(own, other, labels, local, counts, l2)
    gradient = torch.zeros_like(own).index_add_(
        0, local, (prob - labels.to(own.dtype))[:, None] * other
    )
    gradient = gradient + 2 * l2 * counts[:, None] * own
    scaled = torch.sqrt(prob * (1 - prob))[:, None] * other
    hessian = gram_per_block(scaled, local, len(own))
    eye = torch.eye(own.shape[1], dtype=own.dtype, device=own.device)
    return losses, gradient, hessian + 2 * l2 * counts[:, None, None] * eye
