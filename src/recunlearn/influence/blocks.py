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


def inverse_blocks(
    blocks: torch.Tensor, shift: float, dtype: torch.dtype | None = None
) -> torch.Tensor:
    """(B + shift I)^-1 of each d x d block of ``blocks`` (n x d x d), stored as ``dtype``
    (default: the blocks' own).

    Each block is inverted through its Cholesky factor; a block that is not positive
    definite (an embedding no row touches, with no L2 and no shift) is left out
    (identity), so the block-diagonal result is always symmetric positive definite.
    Stored in a lower precision (:func:`rounded_blocks`), a block stays symmetric
    positive definite too.
    """
    eye = torch.eye(blocks.shape[-1], dtype=blocks.dtype, device=blocks.device)
    factor, info = torch.linalg.cholesky_ex(blocks + shift * eye)
    inverse = torch.cholesky_inverse(factor)
    inverse[info > 0] = eye
    if dtype is None or dtype == inverse.dtype:
        return inverse
    return rounded_blocks(inverse, dtype)


def rounded_blocks(inverse: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """Symmetric positive-definite blocks rounded to ``dtype`` (bfloat16: half the
    memory, and a memory-bound apply about twice as fast on the CPU).

    Rounding each entry keeps a block symmetric but, for a block whose condition number
    is above about 2^5 in bfloat16, not always positive definite; such a block is
    replaced by its diagonal (positive entries stay positive when rounded), so the
    preconditioner stays symmetric positive definite and only its quality changes.
    """
    rounded = inverse.to(dtype)
    _, info = torch.linalg.cholesky_ex(rounded.to(inverse.dtype))
    failed = info > 0
    if bool(failed.any()):
        diagonal = torch.diag_embed(torch.diagonal(inverse[failed], dim1=-2, dim2=-1))
        rounded[failed] = diagonal.to(dtype)
    return rounded


def bfloat16_blocks_are_fast(device: torch.device) -> bool:
    """Whether ``device`` multiplies bfloat16 blocks natively: CUDA, or a CPU whose oneDNN
    has bfloat16 kernels (AVX-512). Elsewhere (AVX2 CPUs) torch's bfloat16 ``bmm`` runs
    one small product per block, so halving the bytes costs time instead of saving it
    (measured on an AVX2 AMD EPYC, one thread: 14.3 ms against 4.1 ms in float32 for
    one apply of ML-100K's 1682 item blocks; on an AVX-512 Xeon bfloat16 was about twice
    as fast as float32)."""
    if device.type == "cuda":
        return True
    return (
        device.type == "cpu"
        and torch.backends.mkldnn.is_available()
        and bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    )


def apply_blocks(
    inverse: torch.Tensor, nodes: torch.Tensor | None = None
) -> Callable[[torch.Tensor], torch.Tensor]:
    """r -> the block-diagonal ``inverse`` (N x d x d, symmetric blocks) times r.

    ``nodes``: the blocks r runs over (r of length len(nodes) d); all N by default. Each
    block is applied as r_a^T M_a (M_a symmetric), a row-vector product that is about
    three times faster on the CPU than M_a r_a as a batched matrix-vector product. A
    large share of the N blocks is applied in place (scatter, all blocks, gather)
    rather than copied out. Blocks stored in a lower precision than r are applied in
    theirs (r rounded to it, the result cast back).
    """
    dim = inverse.shape[-1]
    if nodes is not None and 2 * len(nodes) < len(inverse):
        inverse, nodes = inverse.index_select(0, nodes), None
    if nodes is None:
        return lambda residual: (
            torch.bmm(residual.view(-1, 1, dim).to(inverse.dtype), inverse)
            .reshape(-1)
            .to(residual.dtype)
        )

    def apply(residual: torch.Tensor) -> torch.Tensor:
        full = residual.new_zeros(len(inverse), 1, dim, dtype=inverse.dtype)
        full.index_copy_(0, nodes, residual.view(-1, 1, dim).to(inverse.dtype))
        applied = torch.bmm(full, inverse).index_select(0, nodes)
        return applied.reshape(-1).to(residual.dtype)

    return apply


def block_jacobi(blocks: torch.Tensor, shift: float) -> Callable[[torch.Tensor], torch.Tensor]:
    """r -> (B + shift I)^-1 r for block-diagonal B (``blocks``: n x d x d), r of length n d."""
    return apply_blocks(inverse_blocks(blocks, shift))
