"""MF's training step without autograd: the BCE gradient in closed form, the same Adam.

An MF step through autograd records about 30 operations and pays ATen's per-row
embedding backward (one dispatched add per row of the batch). MF's per-row loss is

    loss_r = BCE(p_u . q_i, y) + l2 * (|p_u|^2 + |q_i|^2)

so the gradient of the batch mean is known in closed form: with g = 1 / n,

    dL/dlogit_r = (sigmoid(logit_r) - y_r) * g
    dL/dp_u    += dL/dlogit_r * q_i   and   (l2 > 0)   (g * l2) * (2 p_u)

and each table's gradient is the rows scattered into zeros. Every operation here is
the one autograd runs for :meth:`Recommender.row_losses` (the same kernels on tensors
of the same shapes, the products and sums in the same order), so the gradients and
the parameters after Adam are bitwise those of the autograd step; the tests check
that. The scatter is ``index_add_`` on the CPU (it adds the rows in the order of the
batch, as ``embedding_dense_backward`` does, without a dispatch per row) and
``embedding_dense_backward`` itself elsewhere: on CUDA that is autograd's own
deterministic (sorted) kernel, so CUDA determinism is what it was (not run on a GPU
here: ``tests/training/test_mf_step.py`` checks it where CUDA is present). Stacked
shards (:mod:`.stacked`) weight each block's rows 1 / n_k, as the sum of their means.
The optimiser's step is the fused Adam kernel called directly
(:func:`~recunlearn.training.fused_adam.adam_step`, bitwise ``optimizer.step()``).
Measured on ML-100K (batch 2048, one thread, shared 2-core machine; median of 8): 0.016 s
per epoch against 0.025 s through autograd at load 1.4, 0.028 s against 0.045 s at load
4.4 (``benchmarks/mf_step_speed.py``).

:func:`closed_form_applies` selects the step: MF itself (not a subclass, which could
change the head or the loss) with its two tables as its only parameters. Any other
model trains through autograd.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from recunlearn.models.base import Recommender, row_loss_terms
from recunlearn.models.mf import MatrixFactorization
from recunlearn.training.fused_adam import adam_step

TABLES = ("user_embedding", "item_embedding")


def closed_form_applies(model: Recommender) -> bool:
    """Whether ``model``'s step may bypass autograd: exactly MF, trained by per-row BCE,
    whose parameters are its user and item tables (all trainable)."""
    if type(model) is not MatrixFactorization or model.training_loss != "per_row_bce":
        return False
    parameters = dict(model.named_parameters())
    return sorted(parameters) == sorted(TABLES) and all(
        p.requires_grad for p in parameters.values()
    )


def scatter_rows(
    rows: torch.Tensor, indices: torch.Tensor, n_rows: int, into: torch.Tensor | None = None
) -> torch.Tensor:
    """The dense gradient of a table whose rows ``indices`` were gathered: ``rows[r]``
    added into row ``indices[r]``, r in batch order (``embedding_dense_backward``).

    On the CPU ``into`` (the previous step's gradient, same shape) is zeroed and reused:
    a fresh table per step costs more than the scatter itself.
    """
    if rows.device.type != "cpu":
        return torch.ops.aten.embedding_dense_backward(rows, indices, n_rows, -1, False)
    if into is None or into.shape != (n_rows, rows.shape[1]) or into.dtype != rows.dtype:
        into = torch.empty(n_rows, rows.shape[1], dtype=rows.dtype)
    return into.zero_().index_add_(0, indices, rows)


def mean_weights(logits: torch.Tensor, lengths: list[int] | None = None) -> torch.Tensor:
    """Each row's weight in the loss, as autograd forms it: 1 / n for the mean over the
    n rows, or 1 / n_k for a sum of the means of consecutive segments of ``lengths``."""
    one = torch.ones((), dtype=logits.dtype, device=logits.device)
    if lengths is None:
        return (one / logits.numel()).expand_as(logits)
    return torch.cat([(one / n).expand(n) for n in lengths])


def table_gradients(
    model: Recommender,
    batch: tuple[torch.Tensor, torch.Tensor, torch.Tensor],
    l2: float,
    buffers: tuple[torch.Tensor | None, torch.Tensor | None] = (None, None),
    lengths: list[int] | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(user table gradient, item table gradient, logits) of MF's mean row loss on
    ``batch`` (users, items, labels), or of the sum of its segments' means (``lengths``).

    ``buffers``: tensors the CPU scatter may overwrite (the previous step's gradients).
    """
    users, items, labels = batch
    user_rows = F.embedding(users, model.user_embedding)
    item_rows = F.embedding(items, model.item_embedding)
    logits = (user_rows * item_rows).sum(dim=-1)
    weights = mean_weights(logits, lengths)
    per_logit = ((logits.sigmoid() - labels.to(logits.dtype)) * weights).unsqueeze(-1)
    user_grad = scatter_rows(per_logit * item_rows, users, model.n_users, buffers[0])
    item_grad = scatter_rows(per_logit * user_rows, items, model.n_items, buffers[1])
    if l2 > 0:
        per_norm = (weights * l2).unsqueeze(-1)
        user_grad = user_grad + scatter_rows(per_norm * (2.0 * user_rows), users, model.n_users)
        item_grad = item_grad + scatter_rows(per_norm * (2.0 * item_rows), items, model.n_items)
    return user_grad, item_grad, logits


def closed_form_step(
    model: Recommender,
    optimizer: torch.optim.Optimizer,
    users: torch.Tensor,
    items: torch.Tensor,
    labels: torch.Tensor,
    l2: float,
) -> torch.Tensor:
    """One optimiser step of MF on a batch, gradients in closed form; the batch mean loss."""
    with torch.no_grad():
        logits = _set_gradients(model, (users, items, labels), l2)
        loss = row_loss_terms(
            logits, labels, model.user_embedding, model.item_embedding, users, items, l2
        ).mean()
    adam_step(optimizer)
    return loss


def closed_form_logits_step(
    model: Recommender,
    optimizer: torch.optim.Optimizer,
    users: torch.Tensor,
    items: torch.Tensor,
    labels: torch.Tensor,
) -> torch.Tensor:
    """:func:`closed_form_step` without L2, returning the batch's logits (before the
    step) instead of its loss, which then depends on the logits and labels alone: the
    epoch forms every batch's loss at once (:func:`batch_mean_losses`), saving the
    loss's few small kernels per step (about a tenth of an ML-100K CPU epoch)."""
    with torch.no_grad():
        logits = _set_gradients(model, (users, items, labels), 0.0)
    adam_step(optimizer)
    return logits


def _set_gradients(
    model: Recommender, batch: tuple[torch.Tensor, torch.Tensor, torch.Tensor], l2: float
) -> torch.Tensor:
    """The tables' closed-form gradients on ``batch`` put in their ``.grad``; the logits."""
    user_table, item_table = model.user_embedding, model.item_embedding
    user_grad, item_grad, logits = table_gradients(
        model, batch, l2, (user_table.grad, item_table.grad)
    )
    user_table.grad, item_table.grad = user_grad, item_grad
    return logits


def batch_mean_losses(
    logits: list[torch.Tensor], labels: torch.Tensor, batch_size: int
) -> torch.Tensor:
    """Each batch's mean BCE (no L2) from the epoch's batch ``logits``, in order, and its
    ``labels`` (the epoch's, in batch order): one elementwise BCE over all of them, then
    each whole batch's mean as a row of a (batches, ``batch_size``) view and the short
    last batch's on its own. On the CPU these are bitwise the per-batch
    ``row_loss_terms(...).mean()`` (the same elementwise kernel, and the same row
    reduction whatever the rows above it; ``tests/training/test_mf_step.py`` compares
    the epochs' losses with autograd's)."""
    losses = F.binary_cross_entropy_with_logits(
        torch.cat(logits), labels.to(logits[0].dtype), reduction="none"
    )
    whole = len(losses) // batch_size * batch_size
    means = [losses[:whole].view(-1, batch_size).mean(1)]
    if whole < len(losses):
        means.append(losses[whole:].mean().unsqueeze(0))
    return torch.cat(means)
