"""benchmarks/mf_step_speed.py's side-by-side rows, at toy size."""

from __future__ import annotations

import argparse

import pytest

from recunlearn.models.config import MFConfig

from ..conftest import checkerboard


@pytest.fixture(scope="module")
def bench():
    import mf_step_speed

    return mf_step_speed


def test_both_paths_are_timed_and_train_the_same_parameters(bench):
    rows = checkerboard(density=0.6)
    data = {"train": rows.iloc[::2], "valid": rows.iloc[1::2]}
    cfg = MFConfig(embedding_dim=8, init_std=0.1, lr=0.05, batch_size=32, max_epochs=20)
    args = argparse.Namespace(repeats=2, epochs=2)
    table = bench.timed_rows((24, 18), data, cfg, args, floor=0.001)
    assert [row["path"] for row in table] == ["autograd", "closed_form"] * 2
    assert all(row["parameters_bitwise_equal"] for row in table)
    assert all(row["seconds_per_epoch"] > 0 for row in table)
    aucs = bench.converged_aucs((24, 18), data, cfg)
    assert aucs["autograd"] == aucs["closed_form"] > 0.9


def test_bandwidth_is_a_positive_rate(bench):
    assert bench.memory_bandwidth(mebibytes=4, repeats=2) > 1e8


def test_one_differing_table_makes_the_parameters_unequal(bench):
    import torch

    from recunlearn.models.mf import MatrixFactorization

    a = MatrixFactorization(3, 2, 4, 0.1, torch.Generator().manual_seed(0))
    b = MatrixFactorization(3, 2, 4, 0.1, torch.Generator().manual_seed(0))
    assert bench.same_parameters(a, b)
    with torch.no_grad():
        b.item_embedding[1, 2] += 1e-6
    assert not bench.same_parameters(a, b)
