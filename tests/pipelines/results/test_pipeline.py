"""``kedro run --pipelines=results`` through an environment's own catalog: the seeds
benchmark's datasets (written here as ``benchmarks/seeds.py`` writes them) become
``docs/results/seeds_<protocol>.md``, with the checked-in paper values of that protocol."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from kedro.io import DataCatalog
from kedro.runner import SequentialRunner

from recunlearn.pipelines.results import create_pipeline
from tests.conftest import project_loader
from tests.report.test_results_page import MACHINE, raw

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(("env", "protocol"), [("base", "ifru"), ("laser", "laser")])
def test_the_results_pipeline_writes_the_protocols_page(env, protocol, tmp_path, monkeypatch):
    (tmp_path / "docs" / "results").mkdir(parents=True)
    shutil.copy(ROOT / "docs" / "paper_values.csv", tmp_path / "docs")
    monkeypatch.chdir(tmp_path)  # the catalog's paths are relative to the project
    catalog = DataCatalog.from_config(project_loader(ROOT / "conf", env)["catalog"])
    catalog.save("bmk_seeds_raw", raw())
    catalog.save("bmk_seeds_machine", pd.DataFrame([MACHINE | {"protocol": protocol}]))
    SequentialRunner().run(create_pipeline(), catalog)
    page = (tmp_path / "docs" / "results" / f"seeds_{protocol}.md").read_text()
    assert page.startswith(f"# Results: {protocol} protocol, seeds benchmark")
    assert "| commit | abc1234 |" in page
    compared = "IFRU Table 2 (Amazon-electronics)" in page  # the IFRU protocol's paper values
    assert compared == (protocol == "ifru")
