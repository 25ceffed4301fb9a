"""Per-embedding d x d blocks: batched Gram matrices and a block-Jacobi preconditioner.

AltEraser's AH-Newton solves one d x d Newton system per user (item) with these blocks;
the influence methods precondition conjugate gradient with the same blocks of their
Hessian (the per-user / per-item diagonal blocks).
"""

from __future__ import annotations

from collections.abc import Callable

import torch

GROUP = 64
"""Blocks padded together per batched product."""


def gram_per_block(rows: torch.Tensor, local: torch.Tensor, n_blocks: int) -> torch.Tensor:
    """sum over each block's rows of x x^T, as batched matrix products.

    Rows are grouped by block; blocks of similar row counts are padded together
    (``GROUP`` at a time), so the work is close to n * d^2 multiply-adds in a few
    ``bmm`` calls rather than n materialised d x d outer products.
    """
    dim = rows.shape[1]
    order = torch.argsort(local, stable=True)
    counts = torch.bincount(local, minlength=n_blocks)
    starts = torch.cumsum(counts, 0) - counts
    gram = torch.zeros(n_blocks, dim, dim, dtype=rows.dtype, device=rows.device)
    for group in torch.argsort(counts).split(GROUP):
        length = int(counts[group].max())
        if length == 0:
            continue
        offsets = torch.arange(length, device=rows.device)
        valid = offsets[None, :] < counts[group][:, None]
        positions = (starts[group][:, None] + offsets[None, :]).clamp(max=len(order) - 1)
        padded = rows[order[positions]] * valid[..., None]
        gram[group] = padded.transpose(1, 2) @ padded
    return gram


def block_jacobi(blocks: torch.Tensor, shift: float) -> Callable[[torch.Tensor], torch.Tensor]:
    """r -> (B + shift I)^-1 r for block-diagonal B (``blocks``: n x d x d), r of length n d.

    Each block is inverted once through its Cholesky factor; a block that is not positive
    definite (an embedding no row touches, with no L2 and no shift) is left out (identity),
    so the preconditioner is always symmetric positive definite.
    """
    eye = torch.eye(blocks.shape[-1], dtype=blocks.dtype, device=blocks.device)
    factor, info = torch.linalg.cholesky_ex(blocks + shift * eye)
    inverse = torch.cholesky_inverse(factor)
    inverse[info > 0] = eye
    dim = blocks.shape[-1]
    return lambda residual: torch.bmm(inverse, residual.view(-1, dim, 1)).reshape(-1)
