"""Stacked training: K sub-models trained as one model equal each trained alone, bit for bit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from recunlearn.models import build_backbone
from recunlearn.models.config import LightGCNConfig, TrainConfig
from recunlearn.training.stacked import (
    LANES,
    SERIAL_ELEMENTS,
    _loss_groups,
    can_stack,
    stack_models,
    train_stacked,
)
from recunlearn.training.trainer import train_model

from ..conftest import backbone_config

N_USERS, N_ITEMS = 40, 30


def random_rows(n_rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "user": rng.integers(0, N_USERS, n_rows),
            "item": rng.integers(0, N_ITEMS, n_rows),
            "label": rng.integers(0, 2, n_rows).astype(float),
        }
    )


def fresh(backbone: str, rows: pd.DataFrame, cfg: TrainConfig, seed: int):
    generator = torch.Generator().manual_seed(seed)
    own = backbone_config(backbone, **cfg.model_dump())
    return build_backbone(backbone, N_USERS, N_ITEMS, own, rows, generator)


def alone_and_stacked(backbone, shard_rows, cfg, epochs, device="cpu"):
    """Each shard trained alone by train_model, and all of them by train_stacked."""
    cfg = backbone_config(backbone, **cfg.model_dump())
    no_validation = shard_rows[0].iloc[:0]
    alone = []
    for k, rows in enumerate(shard_rows):
        model = fresh(backbone, rows, cfg, 10 + k)
        generator = torch.Generator().manual_seed(20 + k)
        fixed = cfg.model_copy(update={"max_epochs": epochs})
        train_model(model, rows, no_validation, fixed, generator, device)
        alone.append(model)
    stacked = [fresh(backbone, rows, cfg, 10 + k).to(device) for k, rows in enumerate(shard_rows)]
    generators = [torch.Generator().manual_seed(20 + k) for k in range(len(shard_rows))]
    train_stacked(stacked, shard_rows, cfg, generators, epochs, device)
    return alone, stacked


def assert_identical(alone, stacked):
    for k, (a, s) in enumerate(zip(alone, stacked, strict=True)):
        for (name, p), q in zip(a.named_parameters(), s.parameters(), strict=True):
            assert torch.equal(p, q), f"shard {k} {name}: {float((p - q).abs().max())}"


@pytest.mark.parametrize("backbone", ["mf", "lightgcn"])
def test_ragged_shards_train_as_if_alone_bit_for_bit(backbone):
    # Shards of unequal sizes: short last batches (not whole SIMD units) and one shard
    # with fewer batches per epoch than the others, so it skips the last steps.
    sizes = [700, 1000, 333, 1000]
    shards = [random_rows(n, seed) for seed, n in enumerate(sizes)]
    cfg = LightGCNConfig(embedding_dim=12, batch_size=256, lr=0.02, l2=1e-3, n_layers=2)
    alone, stacked = alone_and_stacked(backbone, shards, cfg, epochs=3)
    assert_identical(alone, stacked)
    moved = fresh(backbone, shards[0], cfg, 10).user_embedding
    assert not torch.equal(moved, stacked[0].user_embedding)  # it did train


def test_a_batch_size_that_is_no_whole_simd_unit_still_matches():
    shards = [random_rows(n, seed) for seed, n in enumerate([500, 450, 470])]
    cfg = TrainConfig(embedding_dim=8, batch_size=100, lr=0.02, l2=1e-3)
    assert_identical(*alone_and_stacked("mf", shards, cfg, epochs=2))


def test_many_threads_and_batches_beyond_one_threads_share_still_match():
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        shards = [random_rows(9000, seed) for seed in range(5)]  # 5 x 8192 > SERIAL_ELEMENTS
        cfg = TrainConfig(embedding_dim=8, batch_size=8192, lr=0.02, l2=1e-3)
        assert_identical(*alone_and_stacked("mf", shards, cfg, epochs=2))
    finally:
        torch.set_num_threads(threads)


def test_loss_groups_concatenate_only_whole_units_below_the_serial_size():
    def batch(n):
        return (torch.zeros(n), torch.zeros(n), torch.zeros(n))

    whole, ragged = 2 * LANES * 64, LANES + 3  # 8192 rows and a short last batch
    batches = [batch(whole), batch(ragged), batch(whole), batch(whole), batch(whole), batch(whole)]
    groups = _loss_groups(batches, torch.device("cpu"))
    sizes = [[len(b[0]) for b in group] for group in groups]
    assert sizes == [[ragged], [whole] * 4, [whole]]
    assert all(sum(group) <= SERIAL_ELEMENTS for group in sizes)
    assert len(_loss_groups(batches, torch.device("cuda"))) == 1


def test_stacked_blocks_keep_their_own_graphs():
    shards = [random_rows(200, 0), random_rows(200, 1)]
    cfg = LightGCNConfig(embedding_dim=4, n_layers=1)
    models = [fresh("lightgcn", rows, cfg, k) for k, rows in enumerate(shards)]
    stacked = stack_models(models, cfg)
    final_users, final_items = stacked.propagate()
    for k, model in enumerate(models):
        users, items = model.propagate()
        assert torch.equal(final_users[k * N_USERS : (k + 1) * N_USERS], users)
        assert torch.equal(final_items[k * N_ITEMS : (k + 1) * N_ITEMS], items)


@pytest.mark.parametrize("backbone", ["dmf", "neumf"])
def test_backbones_with_shared_weights_cannot_be_stacked(backbone):
    rows = random_rows(50, 0)
    model = fresh(backbone, rows, backbone_config(backbone, embedding_dim=4, mlp_layers=[4]), 0)
    assert not can_stack(model)
    with pytest.raises(ValueError, match=f"backbone '{backbone}' cannot be stacked"):
        stack_models([model, model], TrainConfig(embedding_dim=4))


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="CUDA is not available")
@pytest.mark.parametrize("backbone", ["mf", "lightgcn"])
def test_stacked_training_on_cuda_matches_alone(backbone):
    shards = [random_rows(n, seed) for seed, n in enumerate([700, 1000, 333])]
    cfg = LightGCNConfig(embedding_dim=12, batch_size=256, lr=0.02, l2=1e-3, n_layers=2)
    alone, stacked = alone_and_stacked(backbone, shards, cfg, epochs=3, device="cuda")
    for a, s in zip(alone, stacked, strict=True):
        for p, q in zip(a.parameters(), s.parameters(), strict=True):
            torch.testing.assert_close(p, q, rtol=0, atol=1e-6)
