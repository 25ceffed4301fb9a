"""Every configuration environment runs end to end: ``kedro run --env <name>`` at toy size.

One scratch copy of the project per environment under ``conf/`` (``base`` is plain
``kedro run``), all run at once; the sizes are shrunk by ``--params`` (epochs, trials,
shards, groups, walks), never the protocol (split, request, grid). Each run must write
its report, and nothing outside its own data root.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from .conftest import project_loader
from .test_run import ROOT, copy_project, latest, write_tiny_ratings

CONF = ROOT / "conf"
ENVIRONMENTS = sorted(p.name for p in CONF.iterdir() if p.is_dir() and p.name != "local")
"""``local`` is the default run environment, so ``base`` runs as plain ``kedro run``."""
TOY_DATASET = "synthetic-2000"
TOY_SIZES = {
    "max_epochs": 2,
    "epochs": 2,
    "aggregator_epochs": 1,
    "shards": 2,
    "n_groups": 2,
    "n_users": 4,
    "embedding_dim": 8,
    "vector_size": 8,
    "repetitions": 2,
    "depth": 4,
    "lanczos_steps": 5,
    "max_iter": 10,
    "max_passes": 1,
    "cg_iterations": 5,
    "partition_iterations": 3,
    "user_pool": 10,
}
"""Upper bounds of every size-like setting, by name, wherever it appears in the tree."""
NOT_DATA = (".viz", "info.log")
"""kedro-viz's run-status files and the full INFO log (``conf/logging.yml``: in the
directory the run starts from), which every run of the project rewrites."""


def config(env: str, key: str, runtime_params: dict | None = None) -> dict[str, Any]:
    loader = project_loader(CONF, env, runtime_params)
    return loader[key]


def shrunk(tree: dict[str, Any], path: tuple[str, ...] = ()) -> dict[str, Any]:
    """Dotted overrides lowering each size in ``tree`` to its toy bound (trials to 1)."""
    out: dict[str, Any] = {}
    for key, value in tree.items():
        here = (*path, key)
        if isinstance(value, dict):
            out |= shrunk(value, here)
        elif isinstance(value, bool) or not isinstance(value, int):
            continue
        elif path[-1:] == ("n_trials",) and value > 1:
            out[".".join(here)] = 1
        elif value > TOY_SIZES.get(key, value):
            out[".".join(here)] = TOY_SIZES[key]
    return out


def toy_params(env: str) -> dict[str, Any]:
    """``env``'s parameters at toy size; the synthetic dataset where its catalog follows
    ``--params dataset=...`` (an environment that names its own reads a tiny file)."""
    tree = config(env, "parameters")
    params = {"runtime.device": "cpu", "runtime.executor": "inprocess"}
    raw = config(env, "catalog", {"dataset": TOY_DATASET})["raw_ratings"]
    if raw["dataset"] == TOY_DATASET:
        params["dataset"] = TOY_DATASET
    # patience 1 (< max_epochs): a run that stops early where it must not is seen
    patience = {f"training.{backbone}.patience": 1 for backbone in tree["training"]}
    return params | shrunk(tree) | patience


def snapshot(project: Path) -> dict[str, tuple[int, int]]:
    """Every file of ``project``: (size, modification time in ns)."""
    files = (p for p in project.rglob("*") if p.is_file())
    return {str(p.relative_to(project)): (p.stat().st_size, p.stat().st_mtime_ns) for p in files}


def data_root(env: str) -> str:
    return config(env, "globals")["data"]


def kedro_run(
    env: str, project: Path, params: dict[str, Any], options: tuple[str, ...] = ()
) -> dict[str, Any]:
    """``kedro run [--env env] [options] --params <params>`` in ``project``: output and
    timings."""
    kedro = Path(sys.executable).with_name("kedro")
    path = os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))
    overrides = ",".join(f"{key}={value}" for key, value in params.items())
    select = [] if env == "base" else ["--env", env]
    before, began = snapshot(project), time.perf_counter()
    result = subprocess.run(
        [str(kedro), "run", *select, *options, "--params", overrides],
        cwd=project,
        env=os.environ | {"KEDRO_DISABLE_TELEMETRY": "1", "PYTHONPATH": path},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
    )
    return {
        "project": project,
        "before": before,
        "output": result.stdout,
        "returncode": result.returncode,
        "seconds": time.perf_counter() - began,
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, dict[str, Any]]:
    """Each environment run once in its own project copy, as many at once as cores."""
    projects = {env: copy_project(tmp_path_factory.mktemp(env)) for env in ENVIRONMENTS}
    for project in projects.values():
        write_tiny_ratings(project / "data" / "01_raw" / "ratings.dat")
    params = {env: toy_params(env) for env in ENVIRONMENTS}  # OmegaConf resolvers: one thread
    cpu, began = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        futures = {env: pool.submit(kedro_run, env, p, params[env]) for env, p in projects.items()}
        results = {env: future.result() for env, future in futures.items()}
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_seconds = used.ru_utime + used.ru_stime - cpu.ru_utime - cpu.ru_stime
    each = ", ".join(f"{env} {r['seconds']:.0f} s" for env, r in results.items())
    print(  # noqa: T201
        f"\nenvironment runs: {time.perf_counter() - began:.0f} s wall, "
        f"{cpu_seconds:.0f} CPU s ({each})"
    )
    return results


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_environment_runs_end_to_end_and_writes_its_report(env, runs):
    run = runs[env]
    assert run["returncode"] == 0, run["output"][-5000:]
    root = run["project"] / data_root(env)
    printed = re.search(r"Report \(rpt_report_md\): (\S+)", run["output"])
    assert printed and Path(printed.group(1)).is_file()
    assert Path(printed.group(1)).is_relative_to(root / "08_reporting")
    metrics = pd.read_csv(latest(root / "08_reporting" / "metrics.csv"))
    grid = config(env, "parameters")["grid"]
    assert set(metrics["backbone"]) == set(grid["backbones"])
    assert {"original", "retrain"} <= set(metrics["model"]) <= {"original", *grid["methods"]}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_environment_writes_only_under_its_data_root(env, runs):
    run = runs[env]
    after = snapshot(run["project"])
    written = {name for name, stat in after.items() if run["before"].get(name) != stat}
    root = Path(data_root(env))
    others = [Path(data_root(e)) for e in ENVIRONMENTS if data_root(e) != str(root)]
    inside = [
        name
        for name in written
        if Path(name).is_relative_to(root)
        and not any(Path(name).is_relative_to(o) for o in others if o.is_relative_to(root))
    ]
    assert written and sorted(written - set(inside)) == sorted(
        name for name in written if Path(name).parts[0] in NOT_DATA
    )


def test_without_validation_rows_every_original_trains_all_its_epochs(runs):
    """LASER's protocol (90/0/10): T epochs, no early stop, in every environment whose
    split leaves no validation row (there is at least one)."""
    checked = []
    for env, run in runs.items():
        root = run["project"] / data_root(env)
        split = json.loads(latest(root / "03_primary" / "split_log.json").read_text())
        if split["valid_rows"] > 0:
            continue
        for path in sorted((root / "07_model_output").glob("*/original_log.json")):
            log = json.loads(latest(path).read_text())
            assert log["epochs"] == log["config"]["max_epochs"] == TOY_SIZES["max_epochs"], path
            checked.append(path)
    assert checked


def test_the_stream_environment_answers_its_stream_and_the_stream_pipeline_reruns_alone(runs):
    """``--env stream`` holds the stream (K = 8, Retrain matched at 2, 4, 6, 8) in its
    default run; ``--pipelines=stream`` then runs it again alone, as a new version."""
    run = runs["stream"]
    stream = run["project"] / data_root("stream") / "08_reporting" / "stream"
    for backbone in config("stream", "parameters")["grid"]["backbones"]:
        metrics = pd.read_csv(latest(stream / f"{backbone}_metrics.csv"))
        assert sorted(set(metrics["requests_done"])) == [2, 4, 6, 8]
        amortised = pd.read_csv(latest(stream / f"{backbone}_amortised.csv"))
        assert set(amortised["requests"]) == {8}
    for env, section in (("stream", 1), ("base", 0)):  # report.html holds it where enabled
        page = latest(runs[env]["project"] / data_root(env) / "08_reporting" / "report.html")
        assert page.read_text().count("<section id='stream'>") == section, env
    again = kedro_run("stream", run["project"], toy_params("stream"), ("--pipelines=stream",))
    assert again["returncode"] == 0, again["output"][-5000:]
    assert len(list((stream / "stream.html").iterdir())) == 2
    assert "Report (rpt_report_md)" not in again["output"]  # the default run's report: not rerun
    page = ("--pipelines=results", "--nodes=write_stream_page")  # docs/stream.md's command
    (run["project"] / "docs" / "results").mkdir(parents=True)  # the checkout has it
    written = kedro_run("stream", run["project"], toy_params("stream"), page)
    assert written["returncode"] == 0, written["output"][-5000:]
    text = (run["project"] / "docs" / "results" / "stream.md").read_text()
    assert "| commit |" in text and text.count("\n## ") == 2  # MF and LightGCN


def test_an_interrupted_stream_rerun_with_only_missing_outputs_redoes_only_what_is_missing(runs):
    """A checkpoint model lost (as if Ctrl-C came before it was saved): the rerun answers
    that stream again and leaves every other (backbone, method)'s outputs as they were."""
    run = runs["stream"]
    models = run["project"] / data_root("stream") / "06_models" / "stream" / "mf"
    for path in sorted((models / "warm_start_at_4.pt").iterdir()):
        shutil.rmtree(path)
    (models / "warm_start_at_4.pt").rmdir()
    kept = sorted((models / "sisa_at_4.pt").iterdir())
    options = ("--pipelines=stream", "--only-missing-outputs")
    again = kedro_run("stream", run["project"], toy_params("stream"), options)
    assert again["returncode"] == 0, again["output"][-5000:]
    assert len(list((models / "warm_start_at_4.pt").iterdir())) == 1
    assert sorted((models / "sisa_at_4.pt").iterdir()) == kept


def test_the_single_user_environment_audits_its_user_against_the_held_out_pool(runs):
    """``audits.user_pool`` in ``--env single_user``: the pool's users are in no split the
    models train on, and LiRA has user-level rows (one member user, the pool's users)."""
    root = runs["single_user"]["project"] / data_root("single_user")
    held = set(pd.read_csv(latest(root / "03_primary" / "audit_pool.csv"))["user"])
    assert len(held) == TOY_SIZES["user_pool"]
    train = pd.read_csv(latest(root / "05_model_input" / "train.csv"))
    assert not held & set(train["user"])
    lira = pd.read_csv(latest(root / "08_reporting" / "lira_mf.csv"))
    users = lira[lira["level"] == "user"]
    assert len(users) and (users["n_members"] == 1).all()
    assert (users["n_non_members"] == len(held)).all()
