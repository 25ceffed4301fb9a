"""Training K sub-models of one backbone as one stacked model, one step for all of them.

Exact methods train many small sub-models (SISA and RecEraser shards, C-SISA groups).
One at a time, each step of each sub-model pays the fixed cost of a step (autograd,
kernel launches) on a small batch. Here K sub-models of an embedding-table backbone
(MF, LightGCN: every parameter a per-user or per-item table) become one backbone with
K blocks of users and K blocks of items: sub-model k's user u is stacked user
``k * n_users + u``, its item i is stacked item ``k * n_items + i``, and its graph
(LightGCN) is its own block of a block-diagonal adjacency. One step takes sub-model
k's next batch for every k at once, so the step's fixed cost is paid once.

The result is each sub-model's own training, not an approximation of it:

* the loss is the sum of the sub-models' batch means, so sub-model k's parameters get
  exactly the gradient its own step would give (no other block reaches them);
* every sub-model keeps its own batch order (its own generator, drawn in the same
  sequence as :func:`~recunlearn.training.trainer.train_model` draws it);
* every sub-model has its own Adam state and step count (one ``torch.optim.Adam`` over
  per-block views of the stacked tables): a sub-model whose epoch has run out of
  batches skips the step (its views get no gradient), as it would train alone;
* the block-diagonal graph has the same normalised entries, in the same CSR order, as
  each sub-model's graph.

Tested bit for bit against training each sub-model alone on the CPU. The rows of all
K sub-models and K copies of the tables live on the device at once.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import torch
from torch import nn

from recunlearn.models import build_backbone
from recunlearn.models.base import Recommender, dot_product_logits, row_loss_terms
from recunlearn.models.config import TrainConfig
from recunlearn.predictions import Rows, rows_to_tensors
from recunlearn.training.fused_adam import adam_step
from recunlearn.training.mf_step import closed_form_applies, table_gradients
from recunlearn.training.trainer import (
    batch_order_generator,
    deterministic,
    epoch_order,
    make_adam,
)

TABLES = ("user_embedding", "item_embedding")
"""The parameters of a stackable backbone: its per-user and per-item tables."""
LANES = 64
"""Rows per SIMD-aligned unit: a multiple of every CPU vector width (2 x 16 floats)."""
SERIAL_ELEMENTS = 32768
"""ATen's grain size: element-wise kernels on fewer elements run on one thread."""


def can_stack(model: Recommender) -> bool:
    """Whether ``model`` is a per-row BCE backbone whose parameters are exactly its user
    and item tables, scored by their dot product (MF, LightGCN)."""
    names = sorted(name for name, _ in model.named_parameters())
    per_row = model.training_loss == "per_row_bce"
    return names == sorted(TABLES) and model.dot_product_head and per_row


def offset_rows(rows: pd.DataFrame, block: int, n_users: int, n_items: int) -> pd.DataFrame:
    """``rows`` of sub-model ``block`` with user and item ids moved into its block."""
    return rows.assign(user=rows["user"] + block * n_users, item=rows["item"] + block * n_items)


def stack_models(models: Sequence[Recommender], config: TrainConfig) -> Recommender:
    """One backbone holding ``models`` as blocks: their parameters copied in, and (graph
    backbones) each block on its own model's graph."""
    first = models[0]
    for model in models:
        if not can_stack(model) or type(model) is not type(first):
            raise ValueError(f"backbone {model.name!r} cannot be stacked with {first.name!r}")
    n_users, n_items, blocks = first.n_users, first.n_items, len(models)
    fixed = torch.Generator().manual_seed(0)  # the draws are overwritten just below
    no_rows = pd.DataFrame({"user": [], "item": [], "label": []})
    stacked = build_backbone(first.name, blocks * n_users, blocks * n_items, config, no_rows, fixed)
    if hasattr(first, "graph_users"):  # graph backbones: the block-diagonal graph
        users = torch.cat([m.graph_users.cpu() + k * n_users for k, m in enumerate(models)])
        items = torch.cat([m.graph_items.cpu() + k * n_items for k, m in enumerate(models)])
        stacked.set_graph(users, items)
    with torch.no_grad():
        for table in TABLES:
            getattr(stacked, table).copy_(torch.cat([getattr(m, table) for m in models]))
    return stacked


def unstack_into(stacked: Recommender, models: Sequence[Recommender]) -> None:
    """Copy each block of ``stacked`` back into its sub-model, in place."""
    with torch.no_grad():
        for k, model in enumerate(models):
            for table in TABLES:
                getattr(model, table).copy_(_block_of(getattr(stacked, table), k, len(models)))


class _BlockViews:
    """Per-block leaf views of the stacked tables, for one Adam state per sub-model."""

    def __init__(self, stacked: Recommender, blocks: int) -> None:
        self.stacked, self.blocks = stacked, blocks
        self.views = [
            [
                nn.Parameter(_block_of(getattr(stacked, table), k, blocks).detach())
                for table in TABLES
            ]
            for k in range(blocks)
        ]

    def parameters(self) -> list[nn.Parameter]:
        return [view for block in self.views for view in block]

    def hand_gradients(self, active: Sequence[bool]) -> None:
        """Each active block's views take their slice of the stacked gradient; others none."""
        for k, block in enumerate(self.views):
            for view, table in zip(block, TABLES, strict=True):
                grad = getattr(self.stacked, table).grad
                view.grad = _block_of(grad, k, self.blocks) if active[k] else None


def _block_of(full: torch.Tensor, block: int, blocks: int) -> torch.Tensor:
    """Rows of block ``block`` when ``full`` holds ``blocks`` equal blocks (a view)."""
    size = len(full) // blocks
    return full[block * size : (block + 1) * size]


def train_stacked(
    models: Sequence[Recommender],
    rows: Sequence[pd.DataFrame],
    cfg: TrainConfig,
    generators: Sequence[torch.Generator],
    epochs: int,
    device: torch.device | str = "cpu",
) -> None:
    """Train every ``models[k]`` on ``rows[k]`` for ``epochs`` epochs, in place, as if alone.

    Equivalent to ``train_model(models[k], rows[k], <no validation>, cfg with
    max_epochs=epochs, generators[k], device)`` for every k (fixed epochs, last epoch
    kept). Each model keeps its own graph (graph backbones).
    """
    device = torch.device(device)
    stacked = stack_models(models, cfg).to(device)
    n_users, n_items, blocks = models[0].n_users, models[0].n_items, len(models)
    data = [
        rows_to_tensors(offset_rows(r, k, n_users, n_items), device) for k, r in enumerate(rows)
    ]
    orders = [batch_order_generator(g, device) for g in generators]
    views = _BlockViews(stacked, blocks)
    optimizer = make_adam(views.parameters(), cfg.lr, device)
    stacked.train()
    with deterministic(device):
        for _ in range(epochs):
            _stacked_epoch(stacked, views, optimizer, data, orders, cfg)
    unstack_into(stacked, models)
    for model in models:
        model.eval()


def _stacked_epoch(
    stacked: Recommender,
    views: _BlockViews,
    optimizer: torch.optim.Optimizer,
    data: Sequence[Rows],
    orders: Sequence[torch.Generator],
    cfg: TrainConfig,
) -> None:
    """One epoch of every block: step t takes batch t of every block that still has one."""
    permuted = []
    for columns, order in zip(data, orders, strict=True):
        perm = epoch_order(len(columns[0]), order, columns[0].device)
        permuted.append(tuple(column.index_select(0, perm) for column in columns))
    lengths = [len(columns[0]) for columns in permuted]
    for start in range(0, max(lengths), cfg.batch_size):
        active = [start < n for n in lengths]
        batches = [
            tuple(column[start : start + cfg.batch_size] for column in columns)
            for columns, is_active in zip(permuted, active, strict=True)
            if is_active
        ]
        if closed_form_applies(stacked):
            _closed_form_gradients(stacked, batches, cfg.l2)
        else:
            loss = _step_loss(stacked, batches, cfg.l2)
            stacked.zero_grad(set_to_none=True)
            loss.backward()
        views.hand_gradients(active)
        adam_step(optimizer)


def _step_loss(stacked: Recommender, batches: Sequence[Rows], l2: float) -> torch.Tensor:
    """The sum over blocks of each block's mean row loss on its batch (one propagation)."""
    user_final, item_final = stacked.propagate()
    total = torch.zeros((), device=user_final.device)
    for group in _loss_groups(batches, user_final.device):
        users, items, labels = (torch.cat([batch[j] for batch in group]) for j in range(3))
        logits = dot_product_logits(user_final, item_final, users, items)
        losses = row_loss_terms(
            logits, labels, stacked.user_embedding, stacked.item_embedding, users, items, l2
        )
        for segment in losses.split([len(batch[0]) for batch in group]):
            total = total + segment.mean()
    return total


def _closed_form_gradients(stacked: Recommender, batches: Sequence[Rows], l2: float) -> None:
    """The gradients of :func:`_step_loss` without autograd (MF: :mod:`.mf_step`), set as
    the stacked tables' ``.grad``; each loss group scatters into tables of its own, summed
    as autograd sums them (the groups' rows lie in disjoint blocks)."""
    totals: list[torch.Tensor] = []
    for group in _loss_groups(batches, stacked.user_embedding.device):
        columns = tuple(torch.cat([batch[j] for batch in group]) for j in range(3))
        lengths = [len(batch[0]) for batch in group]
        with torch.no_grad():
            grads = table_gradients(stacked, columns, l2, lengths=lengths)[:2]
        totals = list(grads) if not totals else [t + g for t, g in zip(totals, grads, strict=True)]
    stacked.user_embedding.grad, stacked.item_embedding.grad = totals


def _loss_groups(batches: Sequence[Rows], device: torch.device) -> list[list[Rows]]:
    """Batches whose losses are computed in one call, so that each row's loss is rounded
    exactly as in its block's own training.

    A CPU element-wise kernel runs whole SIMD vectors and finishes a tensor's last
    elements with the scalar code, whose transcendental functions (BCE's exp and log)
    may round differently; above ``SERIAL_ELEMENTS`` it also splits the tensor among
    threads. So on the CPU batches are concatenated only when each is a whole number of
    ``LANES`` rows and the concatenation stays below ``SERIAL_ELEMENTS``; any other
    batch (an epoch's short last batch) has a call of its own, as it would alone. A
    CUDA kernel runs the same code for every element, so on CUDA all batches go in one
    call (one gather and one dense gradient per step).
    """
    if device.type == "cuda":
        return [list(batches)]
    groups: list[list[Rows]] = []
    current: list[Rows] = []
    for batch in batches:
        size = len(batch[0])
        if size % LANES:
            groups.append([batch])
            continue
        if current and sum(len(b[0]) for b in current) + size > SERIAL_ELEMENTS:
            groups.append(current)
            current = []
        current.append(batch)
    return groups + ([current] if current else [])
