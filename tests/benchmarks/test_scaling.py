"""benchmarks/scaling.py end to end at toy size on the CPU (a smoke test of its CLI)."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest
from kedro.io import DataCatalog, MemoryDataset

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture
def scaling(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import kedro_runs
    import scaling

    saved = MemoryDataset()
    params = {
        "params:training.mf": {"embedding_dim": 8, "batch_size": 256},
        "params:training.lightgcn": {"embedding_dim": 8, "n_layers": 1, "batch_size": 256},
        "params:unlearning.ifru": {"hessian": "gauss_newton", "damping": 1.0, "max_iter": 5},
    }
    catalog = DataCatalog(
        {"bmk_scaling": saved, **{k: MemoryDataset(v) for k, v in params.items()}}
    )
    monkeypatch.setattr(kedro_runs, "catalog", lambda params=None, env=None: catalog)
    yield scaling, saved
    sys.modules.pop("scaling", None)


def test_toy_run_writes_one_row_per_phase(scaling):
    module, saved = scaling
    argv = ["--device", "cpu", "--sizes", "3000", "--epochs", "1", "--batch-sizes", "256", "512"]
    table = module.main(argv)
    assert saved.load().equals(table)
    assert table["phase"].tolist() == [
        "mf epoch",
        "mf epoch",
        "lightgcn epoch",
        "lightgcn epoch",
        "full evaluation",
        "ifru unlearning (mf)",
    ]
    assert (table["train_rows"] == 3000).all() and (table["device"] == "cpu").all()
    assert (table["threads"] == 1).all()
    assert (table["rows_per_second"] > 0).all() and (table["peak_mib"] > 0).all()
    assert table["auc"].dropna().between(0, 1).all()
    assert table.loc[table["phase"] == "ifru unlearning (mf)", "ifru_iterations"].iloc[0] >= 1


def test_arguments_and_the_documented_gpu_command_line(scaling):
    module, _ = scaling
    args = module.parse_arguments(["--device", "cuda", "--sizes", "1e5", "1e6", "1e7"])
    assert (args.device, args.sizes, args.threads) == ("cuda", ["1e5", "1e6", "1e7"], 1)
    defaults = module.parse_arguments([])
    assert (defaults.device, defaults.batch_sizes, defaults.skip) == ("auto", [2048], [])
    with pytest.raises(SystemExit):
        module.parse_arguments(["--skip", "training"])
    assert isinstance(module.parse_arguments(["--converge"]).converge, bool)
    assert pd.api.types.is_list_like(defaults.sizes)
