"""benchmarks/influence_update.py end to end at toy size (its CLI's smoke test)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from kedro.io import DataCatalog, MemoryDataset

from recunlearn.datasets.raw_ratings import RawRatingsDataset

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture
def update(monkeypatch, tmp_path):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import influence_update
    import kedro_runs

    raw = RawRatingsDataset("synthetic-6000", str(tmp_path)).load()
    raw["rating"] = 1 + 4 * raw["rating"]  # labels 0/1 as ML-100K ratings 1/5 (threshold 4)
    raw.attrs["dataset"] = "ml-100k"  # the script reads ML-100K: a toy table in its place
    saved = MemoryDataset()
    training = {"embedding_dim": 8, "batch_size": 512, "max_epochs": 4, "patience": 2}
    entries = {
        "raw_ratings": raw,
        "params:ingestion": {"k_core": 2},
        "params:training.mf": training,
        "params:unlearning": {"ifru": {"max_iter": 50, "lanczos_steps": 4}},
    }
    catalog = DataCatalog({name: MemoryDataset(value) for name, value in entries.items()})
    catalog["bmk_influence_update"] = saved
    catalog["bmk_influence_update_machine"] = MemoryDataset()
    monkeypatch.setattr(kedro_runs, "catalog", lambda params=None, env=None: catalog)
    yield influence_update, saved, catalog
    sys.modules.pop("influence_update", None)


def test_toy_run_gives_a_row_per_seed_and_tolerance(update):
    module, saved, catalog = update
    arguments = ["--seeds", "0", "1", "--tols", "0.001", "0.3", "--repeats", "1", "--epochs", "1"]
    table = module.main(arguments)
    assert saved.load().equals(table)
    assert table[["seed", "tol"]].values.tolist() == [[0, 0.001], [0, 0.3], [1, 0.001], [1, 0.3]]
    expected = table["ifru_seconds"] / table["epoch_seconds"]
    assert (table["update_epochs"] == expected).all()
    per_seed = table.groupby("seed")
    assert (per_seed["retrain_seconds"].nunique() == 1).all()  # one Retrain per seed
    loose, tight = table[table["tol"] == 0.3], table[table["tol"] == 0.001]
    assert (loose["hvp_count"].to_numpy() < tight["hvp_count"].to_numpy()).all()
    assert table["completeness_auc_0"].notna().all()
    machine = catalog.load("bmk_influence_update_machine")
    assert len(machine) == 1 and machine["threads"].tolist() == [1]
    assert (
        machine["command"].iloc[0]
        == "`python benchmarks/influence_update.py " + " ".join(arguments) + "`"
    )


def test_a_setting_reaches_the_method_and_is_recorded(update):
    """``--set elimination=none``: the whole system, more products than the default's
    reduced one (MF; the toy data has fewer items than users)."""
    module, _, _ = update
    arguments = ["--seeds", "0", "--tols", "0.001", "--repeats", "1", "--epochs", "1"]
    reduced = module.main(arguments)
    whole = module.main([*arguments, "--set", "elimination=none", "--label", "whole"])
    assert reduced["eliminated"].tolist() == ["items"] and whole["eliminated"].isna().all()
    assert whole["settings"].tolist() == ["elimination=none"]
    assert whole["hvp_count"].iloc[0] > reduced["hvp_count"].iloc[0]
    assert whole["iterations"].iloc[0] > reduced["iterations"].iloc[0]


def test_the_works_take_turns_and_each_keeps_its_fastest_round(update, monkeypatch):
    module, _, _ = update
    calls, clock = [], iter([0.0, 3.0, 3.0, 4.0, 4.0, 5.0, 5.0, 9.0])  # 3, 1, 1, 4 s
    monkeypatch.setattr(module.time, "perf_counter", lambda: next(clock))
    works = {
        "ifru": lambda: calls.append("ifru") or len(calls),
        "epoch": lambda: calls.append("epoch"),
    }
    timed = module.fastest(works, 2)
    assert calls == ["ifru", "epoch", "ifru", "epoch"]
    assert timed["ifru"][:2] == (3, 1.0) and timed["epoch"][1] == 1.0
