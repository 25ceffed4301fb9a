"""End to end: `kedro run --env test` in a scratch copy of the project, then the notebook."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from kedro.io import DataCatalog
from nbclient import NotebookClient

from recunlearn.cli import INTERRUPTED
from recunlearn.models import BACKBONES
from recunlearn.pipelines.grid import base_grid

from .conftest import project_loader

ROOT = Path(__file__).resolve().parents[1]


def interruptible() -> None:
    """In the child before exec: SIGINT back to its default, so Python turns it into
    KeyboardInterrupt even when the suite runs as a background job (which ignores it)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def write_tiny_ratings(path: Path, seed: int = 0) -> None:
    """A small ML-1M-format ``ratings.dat`` with learnable structure."""
    rng = np.random.default_rng(seed)
    lines = []
    for user in range(1, 41):
        for item in rng.choice(np.arange(1, 31), size=15, replace=False):
            rating = 5 if (user + item) % 2 == 0 else int(rng.integers(1, 4))
            lines.append(f"{user}::{item}::{rating}::{978300000 + len(lines)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def kedro_command(*args: str) -> dict:
    """``kedro run --env test ARGS``, telemetry off, as keyword arguments of ``subprocess``.

    This checkout's ``src`` comes first on the path, so the run uses the code under
    test even where the installed package points at another checkout.
    """
    kedro = Path(sys.executable).with_name("kedro")
    path = os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))
    return {
        "args": [str(kedro), "run", "--env", "test", *args],
        "env": os.environ | {"KEDRO_DISABLE_TELEMETRY": "1", "PYTHONPATH": path},
        "text": True,
    }


def kedro_run(project: Path, *args: str) -> subprocess.CompletedProcess:
    """``kedro run --env test ARGS`` in ``project``, output captured."""
    return subprocess.run(**kedro_command(*args), cwd=project, capture_output=True, timeout=600)


def copy_project(root: Path) -> Path:
    """The project's configuration and notebooks in ``root``, without data."""
    for name in ("conf", "notebooks"):
        shutil.copytree(ROOT / name, root / name)
    for name in ("pyproject.toml", ".telemetry"):
        shutil.copy(ROOT / name, root / name)
    (root / "src").mkdir()  # Kedro wants a source folder; the package itself is installed
    return root


def data_files(project: Path) -> list[Path]:
    return sorted(p for p in (project / "data").rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project's configuration with a tiny raw file, after one run."""
    root = copy_project(tmp_path_factory.mktemp("project"))
    write_tiny_ratings(root / "data" / "01_raw" / "ratings.dat")
    result = kedro_run(root)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (root / "kedro_run_output.txt").write_text(result.stdout + result.stderr)
    return root


def latest(path: Path) -> Path:
    """The newest version of a versioned dataset directory."""
    return sorted(path.iterdir())[-1] / path.name


def test_kedro_run_writes_versioned_report(project):
    metrics = pd.read_csv(latest(project / "data" / "08_reporting" / "metrics.csv"))
    assert set(metrics["model"]) == {"original", *base_grid().methods}
    assert set(metrics["backbone"]) == {"mf", "lightgcn"}
    assert latest(project / "data" / "08_reporting" / "auc.png").stat().st_size > 1000
    assert latest(project / "data" / "06_models" / "mf" / "original.pt").exists()
    trials = pd.read_csv(latest(project / "data" / "08_reporting" / "tuning" / "mf_trials.csv"))
    assert len(trials) == 2
    assert latest(project / "data" / "08_reporting" / "tuning" / "lightgcn_history.json").exists()


def test_logs_carry_the_run_id_the_report_states_and_the_run_prints_where_it_is(project):
    versions = project / "data" / "07_model_output" / "mf" / "ifru_log.json"
    (version,) = list(versions.iterdir())
    log = json.loads((version / "ifru_log.json").read_text())
    assert log["run_id"] == version.name  # the session id is the run's save version
    report = latest(project / "data" / "08_reporting" / "report.md").read_text()
    assert f"**run id**: `{version.name}`" in report and "every row comes from this run" in report
    assert f"| `mf.ifru.log` | `{version.name}` |" in report
    html = latest(project / "data" / "08_reporting" / "report.html")
    assert f"Report (rpt_report_html): {html}" in (project / "kedro_run_output.txt").read_text()
    # conf/logging.yml: the catalog's per-dataset load/save lines stay below INFO
    assert "Loading data from" not in (project / "kedro_run_output.txt").read_text()
    assert 'id="figure-tradeoff"' in html.read_text()


def test_the_terminal_shows_a_screenful_and_info_log_the_whole_run(project):
    """Issue 19: ~1,400 lines at INFO before; the terminal now shows warnings and where
    the report and the full log are, while info.log keeps every INFO line of the run."""
    output = (project / "kedro_run_output.txt").read_text()
    assert len(output.splitlines()) <= 150, output[-3000:]
    assert "Running node" not in output and "Trial 0 finished" not in output
    assert f"Full log: {project / 'info.log'}" in output.splitlines()
    log = (project / "info.log").read_text()
    total = max(int(n) for n in re.findall(r"Completed (\d+) out of \1 tasks", log))
    assert total > 50 and log.count("Running node: ") >= total
    assert "Pipeline execution completed successfully" in log
    assert "recunlearn.pipelines.ingestion.nodes - INFO - Cleaned ml-1m:" in log
    assert "optuna.study.study - INFO - Trial 0 finished" in log  # not on Optuna's stderr


def test_ctrl_c_in_a_long_node_is_one_line_saying_interrupted(project):
    """Issue 19: Ctrl-C while SISA's shards train in worker processes was reported as a
    worker crash. SIGINT goes to the run's whole process group, as from a terminal."""
    log, before = project / "info.log", data_files(project)
    offset = log.stat().st_size
    run = subprocess.Popen(
        **kedro_command("--namespaces", "mf.sisa", "--params", "unlearning.sisa.epochs=100000"),
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=interruptible,
    )
    deadline = time.monotonic() + 120
    while "Running node: prepare: prepare_method" not in log.read_text()[offset:]:
        assert time.monotonic() < deadline and run.poll() is None, run.communicate()
        time.sleep(0.2)
    time.sleep(2)  # the shards are training in the pool's workers
    os.killpg(run.pid, signal.SIGINT)
    try:
        out, err = run.communicate(timeout=60)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    assert err.splitlines() == [INTERRUPTED] and out == ""
    assert run.returncode == 130
    assert data_files(project) == before  # the interrupted node wrote nothing


def test_kedro_viz_can_preview_the_report_figures_and_tables(project, monkeypatch):
    monkeypatch.chdir(project)
    config = project_loader(project / "conf", "test")
    catalog = DataCatalog.from_config(config["catalog"])
    for name in ("rpt_auc_plotly", "rpt_completeness_plotly", "rpt_tradeoff_plotly"):
        assert catalog.get(name).preview()["data"], name
    for name in ("rpt_headline", "rpt_coefficients", "rpt_runs"):
        preview = catalog.get(name).preview(nrows=5)
        assert preview["columns"] and preview["data"], name


def test_a_second_run_adds_versions_and_keeps_the_first(project):
    assert kedro_run(project, "--pipelines", "evaluation").returncode == 0
    versions = list((project / "data" / "08_reporting" / "metrics.csv").iterdir())
    assert len(versions) == 2


def test_bad_parameter_fails_before_anything_is_written(project):
    before = data_files(project)
    result = kedro_run(project, "--params", "poisoning.ratio=1.5")
    assert result.returncode != 0
    assert "poisoning" in (result.stdout + result.stderr)
    assert data_files(project) == before


def test_bad_solver_is_one_short_message_and_exit_code_1(project):
    """The issue's case: before, three model versions were written, then a deep error."""
    before = data_files(project)
    result = kedro_run(
        project, "--pipelines", "unlearning", "--params", "unlearning.ifru.solver=foo"
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "Error: invalid parameter unlearning.ifru.solver: "
        "Input should be 'cg', 'adam' or 'direct' (got 'foo')",
        "(run with --verbose for the full traceback)",
    ]
    assert "Traceback" not in result.stdout
    assert data_files(project) == before
    assert "Traceback (most recent call last)" in (project / "errors.log").read_text()


def test_verbose_shows_the_traceback_of_a_misspelt_backbone(project):
    result = kedro_run(project, "--verbose", "--params", "training.lightgnc.lr=1")
    assert result.returncode == 1
    assert "Traceback" in result.stderr
    unwrapped = " ".join(result.stderr.split())  # rich wraps the traceback at 80 columns
    names = ", ".join(sorted(BACKBONES))
    assert f"training.lightgnc: unknown name; valid names under training: {names}" in unwrapped


def test_raw_file_with_the_wrong_separator_is_one_line_naming_it(tmp_path):
    project = copy_project(tmp_path)
    raw = project / "data" / "01_raw" / "ratings.dat"
    raw.parent.mkdir(parents=True)
    raw.write_text("1\t10\t5\t100\n2\t11\t4\t101\n")
    result = kedro_run(project, "--pipelines", "ingestion")
    assert result.returncode == 1
    message, hint = result.stderr.splitlines()
    assert message.startswith(
        "Error: dataset raw_ratings: data/01_raw/ratings.dat: expected 4 '::'-separated fields"
    )
    assert data_files(project) == [raw]


def test_notebook_loads_the_report_through_the_catalog(project):
    notebook = nbformat.read(project / "notebooks" / "report.ipynb", as_version=4)
    os.environ["KEDRO_ENV"] = "test"
    os.environ["RECUNLEARN_PROJECT_PATH"] = str(project)
    try:
        NotebookClient(
            notebook,
            timeout=300,
            kernel_name="python3",
            resources={"metadata": {"path": str(project / "notebooks")}},
        ).execute()
    finally:
        os.environ.pop("KEDRO_ENV")
        os.environ.pop("RECUNLEARN_PROJECT_PATH")
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]


def test_valid_best_option_from_the_command_line_is_labelled(project):
    """The README's command for the published code's valid-best Adam iterate, then the report."""
    option = "unlearning.ifru.solver=adam,unlearning.ifru.select_on_validation=true"
    result = kedro_run(project, "--namespaces", "mf.ifru", "--params", option)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert kedro_run(project, "--pipelines", "evaluation").returncode == 0
    report = latest(project / "data" / "08_reporting" / "report.md").read_text()
    assert "Selected on validation data" in report
    labelled = report.split("Selected on validation data")[1].splitlines()[0]
    assert "mf.ifru" in labelled and "lightgcn.ifru" not in labelled
