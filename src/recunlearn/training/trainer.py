"""Mini-batch training with early stopping on validation AUC_0.

Point-wise BCE over every labelled row (the IFRU protocol), Adam, an optional L2
penalty (see :meth:`Recommender.row_losses`). The best validation checkpoint is
restored at the end. Without validation rows (e.g. an 80/0/20 split) the model
trains for ``max_epochs`` and the last epoch is kept.

The loop runs at the device's pace: the rows live on the device, each epoch permutes
them once and slices contiguous batches from the permuted copy (no per-batch gather
from the host, no per-batch copy), the batch losses stay on the device and are read
once per epoch, and validation AUC is computed on the device (:func:`tensor_auc`).
Adam is PyTorch's fused kernel (one pass over every parameter per step), called
directly once its state exists (:func:`~recunlearn.training.fused_adam.adam_step`:
bitwise ``optimizer.step()`` without its per-step Python work). MF's step
skips autograd (:mod:`recunlearn.training.mf_step`: the same gradients, bit for bit,
without autograd's bookkeeping and per-row embedding backward); every other
backbone's goes through it. On CUDA,
training runs with ``torch.use_deterministic_algorithms`` (see :func:`deterministic`).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch

from recunlearn.models.base import Recommender
from recunlearn.models.config import TrainConfig
from recunlearn.predictions import Rows, rows_to_tensors, tensor_auc
from recunlearn.progress import EarlyStopping, EpochBar
from recunlearn.training.fused_adam import adam_step
from recunlearn.training.mf_step import (
    batch_mean_losses,
    closed_form_applies,
    closed_form_logits_step,
    closed_form_step,
)


@dataclass
class TrainLog:
    """What happened during training, for the catalog's training log."""

    device: str
    epochs: int
    best_epoch: int
    best_valid_auc: float
    seconds: float
    history: list[dict[str, float]] = field(default_factory=list)

    @property
    def seconds_per_epoch(self) -> float:
        return self.seconds / max(self.epochs, 1)


@contextlib.contextmanager
def deterministic(device: torch.device) -> Iterator[None]:
    """``torch.use_deterministic_algorithms(True, warn_only=True)`` while training on CUDA.

    Every op of MF and LightGCN training has a deterministic CUDA kernel (embedding
    backward, cuSPARSE CSR SpMM, fused Adam); an op without one (e.g. a cuBLAS GEMM of
    another backbone without ``CUBLAS_WORKSPACE_CONFIG``) warns instead of failing.
    The previous setting is restored afterwards. The CPU kernels used here are
    deterministic already, so nothing changes there.
    """
    if device.type != "cuda":
        yield
        return
    enabled = torch.are_deterministic_algorithms_enabled()
    warn_only = torch.is_deterministic_algorithms_warn_only_enabled()
    torch.use_deterministic_algorithms(True, warn_only=True)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(enabled, warn_only=warn_only)


def epoch_order(n_rows: int, generator: torch.Generator, device: torch.device) -> torch.Tensor:
    """The epoch's row permutation, drawn by ``generator`` on the generator's own device."""
    return torch.randperm(n_rows, generator=generator, device=generator.device).to(device)


def batch_order_generator(generator: torch.Generator, device: torch.device) -> torch.Generator:
    """The generator that orders batches: ``generator`` itself, except for CUDA rows.

    On CUDA a permutation of 10^7 rows drawn on the host costs about 0.25 s per epoch,
    so a CUDA generator seeded once from ``generator`` draws it on the device (the
    order is then seeded but differs from the CPU run's).
    """
    if device.type != "cuda" or generator.device.type == "cuda":
        return generator
    seed = int(torch.randint(0, 2**62, (1,), generator=generator))
    return torch.Generator(device=device).manual_seed(seed)


def _run_epoch(
    model: Recommender,
    optimizer: torch.optim.Optimizer,
    data: Rows,
    cfg: TrainConfig,
    generator: torch.Generator,
) -> float:
    """One pass over ``data`` in shuffled batches; the mean row loss, read once at the end.

    MF without L2 on the CPU keeps each batch's logits and forms the batches' losses
    once the epoch is done (:func:`closed_form_logits_step`), bitwise the per-step ones.
    """
    n_rows = len(data[0])
    order = epoch_order(n_rows, generator, data[0].device)
    users, items, labels = (column.index_select(0, order) for column in data)
    columns = (column.split(cfg.batch_size) for column in (users, items, labels))
    batches = list(zip(*columns, strict=True))
    if not batches:
        return 0.0
    if closed_form_applies(model) and cfg.l2 == 0 and labels.device.type == "cpu":
        logits = [closed_form_logits_step(model, optimizer, *batch) for batch in batches]
        means = batch_mean_losses(logits, labels, cfg.batch_size)
    else:
        step = closed_form_step if closed_form_applies(model) else autograd_step
        means = torch.stack([step(model, optimizer, *batch, cfg.l2) for batch in batches])
    return _mean_row_loss(means, n_rows, cfg.batch_size)


def autograd_step(
    model: Recommender,
    optimizer: torch.optim.Optimizer,
    users: torch.Tensor,
    items: torch.Tensor,
    labels: torch.Tensor,
    l2: float,
) -> torch.Tensor:
    """One optimiser step on a batch's mean row loss through autograd; the loss, detached."""
    loss = model.row_losses(users, items, labels, l2).mean()
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    adam_step(optimizer)
    return loss.detach()


def _mean_row_loss(batch_means: torch.Tensor, n_rows: int, batch_size: int) -> float:
    """Mean over rows of the batch means weighted by batch length (one device read)."""
    weights = torch.full((len(batch_means),), float(batch_size), dtype=torch.float64)
    weights[-1] = n_rows - batch_size * (len(batch_means) - 1)
    means = batch_means.double()
    return float((means * weights.to(means.device)).sum()) / n_rows


def make_adam(
    parameters: Iterable[torch.Tensor], lr: float, device: torch.device
) -> torch.optim.Adam:
    """Adam over ``parameters``; PyTorch's fused kernel where it exists (CPU, CUDA).

    The fused kernel does the for-loop implementation's arithmetic in one pass; its
    rounding differs in the last bits (measured on ML-100K MF: validation AUC equal
    to 1e-7 after 30 epochs).
    """
    fused = device.type in ("cpu", "cuda")
    return torch.optim.Adam(parameters, lr=lr, fused=fused or None)


@dataclass
class _BestState:
    """The best validation AUC so far, its epoch and parameters, and evaluations since."""

    auc: float = -np.inf
    epoch: int = 0
    state: dict[str, torch.Tensor] | None = None
    stale: int = 0

    def offer(self, model: Recommender, epoch: int, valid_auc: float, min_delta: float) -> None:
        if valid_auc > self.auc + min_delta:
            self.auc, self.epoch, self.stale = valid_auc, epoch, 0
            self.state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            self.stale += 1


def early_stopping(cfg: TrainConfig, valid_rows: pd.DataFrame) -> EarlyStopping | None:
    """How training stops early (None: without validation rows every epoch runs)."""
    return EarlyStopping(cfg.patience, cfg.eval_every) if len(valid_rows) else None


def _validation_auc(model: Recommender, valid: Rows) -> float:
    model.eval()
    users, items, labels = valid
    return tensor_auc(labels, model.score_pairs(users, items))


def train_model(
    model: Recommender,
    train_rows: pd.DataFrame,
    valid_rows: pd.DataFrame,
    cfg: TrainConfig,
    generator: torch.Generator,
    device: torch.device | str = "cpu",
    on_evaluation: Callable[[int, float], None] | None = None,
) -> TrainLog:
    """Train ``model`` in place on ``train_rows``; restore the best validation state.

    ``generator`` (CPU) drives the batch order, so the same seed gives the same run.
    ``on_evaluation(epoch, valid_auc)`` is called after each validation; it may raise
    to stop training (a tuning pruner does).
    """
    device = torch.device(device)
    model.to(device)
    data, valid = rows_to_tensors(train_rows, device), rows_to_tensors(valid_rows, device)
    optimizer = make_adam(model.parameters(), cfg.lr, device)
    order = batch_order_generator(generator, device)
    best, history, epoch = _BestState(), [], 0
    start = time.perf_counter()
    bar = EpochBar(f"{model.name} training", cfg.max_epochs, early_stopping(cfg, valid_rows))
    with deterministic(device), bar:
        for epoch in range(1, cfg.max_epochs + 1):
            model.train()
            record = {
                "epoch": float(epoch),
                "train_loss": _run_epoch(model, optimizer, data, cfg, order),
            }
            if len(valid_rows) and epoch % cfg.eval_every == 0:
                record["valid_auc"] = _validation_auc(model, valid)
                if on_evaluation is not None:
                    on_evaluation(epoch, record["valid_auc"])
                best.offer(model, epoch, record["valid_auc"], cfg.min_delta)
            bar.advance(epoch, best.epoch, best.stale)
            history.append(record)
            if best.stale >= cfg.patience:
                break
    return _finish(model, best, epoch, history, device, time.perf_counter() - start)


def _finish(
    model: Recommender,
    best: _BestState,
    epoch: int,
    history: list[dict[str, float]],
    device: torch.device,
    seconds: float,
) -> TrainLog:
    """Restore the best state (or keep the last epoch's) and describe the run."""
    if best.state is not None:
        model.load_state_dict(best.state)
    model.eval()
    return TrainLog(
        device=str(device),
        epochs=epoch,
        best_epoch=best.epoch if best.state is not None else epoch,
        best_valid_auc=float(best.auc) if np.isfinite(best.auc) else float("nan"),
        seconds=seconds,
        history=history,
    )
