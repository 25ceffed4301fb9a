"""docs/benchmarks.md's ``kedro run --pipelines=results --nodes=write_cost_page``, run as
typed in a copy of the project: the cost benchmarks' tables, saved where the benchmarks
save them (``exact.py``'s under the single_user data root), become docs/results/cost.md."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
from kedro.io import DataCatalog

from tests.conftest import project_loader
from tests.report import test_cost_page as toy
from tests.test_run import copy_project

ROOT = Path(__file__).resolve().parents[3]


def save(project: Path, env: str, tables: dict[str, pd.DataFrame], monkeypatch) -> None:
    """``tables`` saved through ``env``'s catalog, as the benchmarks save them."""
    monkeypatch.chdir(project)  # the catalog's paths are relative to the project
    catalog = DataCatalog.from_config(project_loader(project / "conf", env)["catalog"])
    for name, table in tables.items():
        catalog.save(name, table)


def kedro(project: Path, *options: str) -> subprocess.CompletedProcess:
    path = os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))
    return subprocess.run(
        [str(Path(sys.executable).with_name("kedro")), "run", *options],
        cwd=project,
        env=os.environ | {"KEDRO_DISABLE_TELEMETRY": "1", "PYTHONPATH": path},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_documented_command_writes_the_cost_page_from_the_benchmarks(tmp_path, monkeypatch):
    project = copy_project(tmp_path)
    (project / "docs" / "results").mkdir(parents=True)
    machine = pd.DataFrame([toy.MACHINE])
    base = {
        "bmk_influence_update": toy.influence_update([1.2, 1.3, 1.4]),
        "bmk_influence_update_machine": machine,
        "bmk_unlearning_speedup": toy.unlearning_speedup({"1e5": 25.0, "1e6": 30.0}),
        "bmk_unlearning_speedup_machine": machine,
    }
    save(project, "base", base, monkeypatch)
    exact = {"bmk_exact_single_user": toy.exact_single_user(6.0, 3.5)}
    save(project, "single_user", exact | {"bmk_exact_machine": machine}, monkeypatch)
    run = kedro(project, "--pipelines=results", "--nodes=write_cost_page")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    page = (project / "docs" / "results" / "cost.md").read_text()
    assert toy.verdicts(page) == ["met", "not met", "met", "met"]
    assert "Not measured yet: `bmk_mf_step_speed` is absent" in page
    assert page.count("| commit | abc1234 |") == 3
