"""benchmarks/unlearning_speedup.py end to end at toy size on the CPU (its CLI's smoke test)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from kedro.io import DataCatalog, MemoryDataset

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture
def speedup(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import kedro_runs
    import unlearning_speedup

    saved = MemoryDataset()
    training = {"embedding_dim": 8, "batch_size": 256, "max_epochs": 6, "patience": 2}
    catalog = DataCatalog(
        {
            "bmk_unlearning_speedup": saved,
            "bmk_unlearning_speedup_machine": MemoryDataset(),
            "params:training.mf": MemoryDataset(training),
        }
    )
    monkeypatch.setattr(kedro_runs, "catalog", lambda params=None, env=None: catalog)
    yield unlearning_speedup, saved, catalog
    sys.modules.pop("unlearning_speedup", None)


def test_toy_run_times_both_requests_at_every_size(speedup):
    module, saved, catalog = speedup
    table = module.main(["--device", "cpu", "--sizes", "2000", "4000", "--rows", "50"])
    assert saved.load().equals(table)
    assert table[["size", "request"]].values.tolist() == [
        ["2000", "share"],
        ["2000", "fixed"],
        ["4000", "share"],
        ["4000", "fixed"],
    ]
    assert table.loc[table["request"] == "fixed", "forget_rows"].tolist() == [50, 50]
    share = (
        table.loc[table["request"] == "share", "forget_rows"]
        / table.loc[table["request"] == "share", "train_rows"]
    )
    assert share.between(0.01, 0.03).all()  # about 2 % of D
    expected = table["retrain_seconds"] / table["ifru_seconds"]
    assert (table["speedup"] == expected).all() and (table["retrain_epochs"] >= 1).all()
    assert set(table["device"]) == {"cpu"}
    machine = catalog.load("bmk_unlearning_speedup_machine")
    assert machine[["device", "threads"]].values.tolist() == [["cpu", 1]]
    assert machine["command"].iloc[0].startswith("`python benchmarks/unlearning_speedup.py")


def test_kinds_choose_the_requests_and_cpu_speedups_are_recorded(speedup):
    module, _, _ = speedup
    table = module.main(["--device", "cpu", "--sizes", "2000", "--rows", "50", "--kinds", "fixed"])
    assert table["request"].tolist() == ["fixed"] and (table["speedup_cpu"] > 0).all()


def test_each_tolerance_gets_its_own_ifru_row_against_one_retrain(speedup):
    module, _, _ = speedup
    table = module.main(
        ["--device", "cpu", "--sizes", "2000", "--rows", "50", "--kinds", "fixed"]
        + ["--tols", "0.001", "0.1"]
    )
    assert table["ifru_tol"].tolist() == [0.001, 0.1]
    assert table["retrain_seconds"].nunique() == 1  # one Retrain, timed once
    products = table["ifru_products"].tolist()
    assert products[1] < products[0], products  # a looser tolerance stops CG sooner
