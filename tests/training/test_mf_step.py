import pytest
import torch

from recunlearn.models import build_backbone
from recunlearn.models.base import row_loss_terms
from recunlearn.models.config import LightGCNConfig, MFConfig
from recunlearn.models.mf import MatrixFactorization
from recunlearn.training import mf_step, stacked, trainer
from recunlearn.training.mf_step import closed_form_applies, table_gradients
from recunlearn.training.trainer import train_model

from ..conftest import checkerboard

# 64 rows per batch on 241 checkerboard rows: three whole batches and a short one of 49.
CFG = MFConfig(embedding_dim=8, init_std=0.1, lr=0.05, batch_size=64, max_epochs=6)


class AutogradMF(MatrixFactorization):
    """MF as a subclass: the closed form refuses it, so it trains through autograd."""


def trained(model_type: type, l2: float, device: str = "cpu") -> tuple[MatrixFactorization, list]:
    rows = checkerboard(density=0.6)
    cfg = CFG.model_copy(update={"l2": l2})
    model = model_type(24, 18, cfg.embedding_dim, cfg.init_std, torch.Generator().manual_seed(0))
    log = train_model(model, rows, rows.iloc[:0], cfg, torch.Generator().manual_seed(1), device)
    return model, log.history


@pytest.mark.parametrize("l2", [0.0, 0.05])
def test_closed_form_training_is_bitwise_the_autograd_training(l2, torch_device):
    assert len(checkerboard(density=0.6)) % CFG.batch_size  # a short last batch too
    fast, fast_history = trained(MatrixFactorization, l2, torch_device)
    reference, history = trained(AutogradMF, l2, torch_device)
    assert fast_history == history  # the epochs' mean training losses
    for name in ("user_embedding", "item_embedding"):
        assert torch.equal(getattr(fast, name).cpu(), getattr(reference, name).cpu())


@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_table_gradients_are_bitwise_autograd_s_with_repeated_rows(l2):
    model = MatrixFactorization(5, 4, 6, 0.5, torch.Generator().manual_seed(2))
    draw = torch.Generator().manual_seed(3)
    users, items = (
        torch.randint(0, 5, (37,), generator=draw),
        torch.randint(0, 4, (37,), generator=draw),
    )
    labels = (torch.rand(37, generator=draw) < 0.5).float()
    loss = model.row_losses(users, items, labels, l2).mean()
    loss.backward()
    reference = model.user_embedding.grad.clone(), model.item_embedding.grad.clone()
    with torch.no_grad():
        user_grad, item_grad, logits = table_gradients(model, (users, items, labels), l2)
    assert torch.equal(user_grad, reference[0])
    assert torch.equal(item_grad, reference[1])
    assert torch.equal(logits, model(users, items).detach())


def test_only_plain_trainable_mf_takes_the_closed_form():
    rows = checkerboard()
    mf = build_backbone("mf", 24, 18, CFG, rows, torch.Generator().manual_seed(0))
    assert closed_form_applies(mf)
    assert not closed_form_applies(AutogradMF(24, 18, 8, 0.1))
    lightgcn = build_backbone("lightgcn", 24, 18, LightGCNConfig(), rows)
    assert not closed_form_applies(lightgcn)
    mf.item_embedding.requires_grad_(False)
    assert not closed_form_applies(mf)


@pytest.mark.parametrize(
    ("backbone", "l2", "steps"),
    [
        ("mf", 0.0, {"closed_form_logits_step": 4 * 6}),  # the loss formed per epoch
        ("mf", 0.05, {"closed_form_step": 4 * 6}),  # the L2 term needs the tables
        ("lightgcn", 0.0, {}),
    ],
)
def test_trainer_takes_the_closed_form_for_mf_only(backbone, l2, steps, monkeypatch):
    calls = {}

    def counting(name):
        def counted(*args):
            calls[name] = calls.get(name, 0) + 1
            return getattr(mf_step, name)(*args)

        return counted

    for name in ("closed_form_step", "closed_form_logits_step"):
        monkeypatch.setattr(trainer, name, counting(name))
    rows = checkerboard(density=0.6)
    cfg = CFG if backbone == "mf" else LightGCNConfig(**CFG.model_dump())
    cfg = cfg.model_copy(update={"l2": l2})
    model = build_backbone(backbone, 24, 18, cfg, rows, torch.Generator().manual_seed(0))
    train_model(model, rows, rows.iloc[:0], cfg, torch.Generator().manual_seed(1))
    assert calls == steps


@pytest.mark.parametrize(("backbone", "closed"), [("mf", True), ("lightgcn", False)])
def test_stacked_shards_take_the_closed_form_for_mf_only(backbone, closed, monkeypatch):
    calls, original = [], stacked._closed_form_gradients

    def counted(*args):
        calls.append(1)
        return original(*args)

    monkeypatch.setattr(stacked, "_closed_form_gradients", counted)
    rows = checkerboard(density=0.6)
    cfg = CFG if backbone == "mf" else LightGCNConfig(**CFG.model_dump())
    shards = [rows.iloc[::2], rows.iloc[1::2]]
    models = [
        build_backbone(backbone, 24, 18, cfg, shard, torch.Generator().manual_seed(k))
        for k, shard in enumerate(shards)
    ]
    generators = [torch.Generator().manual_seed(k) for k in range(2)]
    stacked.train_stacked(models, shards, cfg, generators, epochs=2)
    assert bool(calls) == closed


@pytest.mark.parametrize("n_rows", [64 * 3, 64 * 3 + 17, 5])
def test_batch_mean_losses_are_bitwise_each_batchs_own_mean(n_rows):
    """The epoch's losses formed at once equal each batch's ``row_loss_terms`` mean."""
    draw = torch.Generator().manual_seed(4)
    logits = torch.randn(n_rows, generator=draw) * 4
    labels = (torch.rand(n_rows, generator=draw) < 0.5).float()
    empty = torch.empty(0, 1)
    expected = [
        row_loss_terms(batch, batch_labels, empty, empty, None, None, 0.0).mean()
        for batch, batch_labels in zip(logits.split(64), labels.split(64), strict=True)
    ]
    got = mf_step.batch_mean_losses(list(logits.split(64)), labels, 64)
    assert torch.equal(got, torch.stack(expected))
