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
from recunlearn.pipelines.results.nodes import write_stream_page
from recunlearn.report.cost_page import SECTIONS
from recunlearn.unlearning.stream_config import StreamConfig
from tests.conftest import project_loader
from tests.pipelines.conftest import grid
from tests.report import test_stream_page as toy
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
    cost = (tmp_path / "docs" / "results" / "cost.md").read_text()  # no cost benchmark run:
    assert cost.count("Not measured yet") == len(SECTIONS)  # one line each; seeds page stands


def test_the_stream_environments_results_write_the_stream_page_from_its_run(tmp_path, monkeypatch):
    (tmp_path / "docs" / "results").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    catalog = DataCatalog.from_config(project_loader(ROOT / "conf", "stream")["catalog"])
    for backbone in ("mf", "lightgcn"):
        catalog.save(f"rpt_stream_table_metrics_{backbone}", toy.metrics(backbone, True))
        speedup = [8.0, 4.0, 2.0] if backbone == "mf" else [7.0, 5.0, 3.0]
        amortised = toy.amortised(backbone).assign(amortised_speedup=speedup)
        catalog.save(f"rpt_stream_table_amortised_{backbone}", amortised)
    catalog.save("rpt_stream_machine", pd.DataFrame([toy.MACHINE]))
    stream = StreamConfig(enabled=True, n_requests=4)
    catalog["params:stream"], catalog["params:dataset"] = stream, "ml-100k"
    pipeline = create_pipeline(grid(["mf", "lightgcn"]), stream).only_nodes("write_stream_page")
    SequentialRunner().run(pipeline, catalog)
    page = (tmp_path / "docs" / "results" / "stream.md").read_text()
    assert "| run id | 2026-12-06T03.00.00.000Z |" in page  # the saved record, read back
    assert "Protocol: ml-100k, K = 4 disjoint requests (kind user_wise" in page
    assert "after requests 1, 2, 3, 4" in page
    lightgcn = page.split("## LightGCN")[1]
    assert toy.rows(lightgcn, "IFRU")[0] == ["IFRU", "2", "16", "7", "2", "4"]  # its own table


def test_the_results_pipeline_holds_the_stream_page_only_where_the_stream_runs():
    cells = grid(["mf"])
    names = {n.name for n in create_pipeline(cells, StreamConfig(enabled=True)).nodes}
    assert names == {"write_seeds_page", "write_cost_page", "write_stream_page"}
    plain = {n.name for n in create_pipeline(cells, StreamConfig()).nodes}
    assert plain == {"write_seeds_page", "write_cost_page"}


@pytest.mark.parametrize("rows", [0, 2])
def test_the_stream_page_refuses_a_machine_table_without_exactly_one_row(rows):
    machine = pd.DataFrame([toy.MACHINE] * rows, columns=list(toy.MACHINE))
    tables = (toy.metrics("mf", True), toy.amortised("mf"))
    with pytest.raises(ValueError, match=f"rpt_stream_machine: expected one row .* got {rows}"):
        write_stream_page(machine, StreamConfig(), "ml-100k", *tables)
