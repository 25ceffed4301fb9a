"""benchmarks/tuning_share.py end to end at toy size: ``--env test`` in a scratch copy of the
project, ingestion to tuning, MF only."""

from __future__ import annotations

import json
import sys

import pandas as pd
import pytest
from kedro.io import DataCatalog, MemoryDataset

from ..test_run import copy_project, write_tiny_ratings


@pytest.fixture(scope="module")
def share(tmp_path_factory):
    import kedro_runs
    import tuning_share

    project = copy_project(tmp_path_factory.mktemp("project"))
    write_tiny_ratings(project / "data" / "01_raw" / "ratings.dat")
    saved = MemoryDataset()
    original = kedro_runs.catalog
    kedro_runs.catalog = lambda params=None, env=None: DataCatalog({"bmk_tuning_share": saved})
    argv = ["--env", "test", "--project", str(project), "--pipelines", "ingestion", "poisoning"]
    argv += ["tuning", "--set", "grid.backbones=[mf]", "tuning.n_trials.mf=3", "--label", "toy"]
    try:
        yield tuning_share.main(argv), saved.load(), project
    finally:
        kedro_runs.catalog = original
        sys.modules.pop("tuning_share", None)


def test_every_trial_of_the_fresh_study_is_a_row_and_the_table_is_saved(share):
    table, saved, _ = share
    assert saved.equals(table)
    assert table["backbone"].tolist() == ["mf"] * 3 and table["trial"].tolist() == [0, 1, 2]
    assert set(table["state"]) <= {"COMPLETE", "PRUNED"}
    assert (table["epochs"] >= 1).all() and (table["epochs"] <= 3).all()  # tuning.max_epochs
    curves = [json.loads(c) for c in table["curve"]]
    assert [len(c) for c in curves] == table["epochs"].tolist()
    for curve, state, value in zip(curves, table["state"], table["value"], strict=True):
        if state == "COMPLETE":  # the best checkpoint's AUC (gains under min_delta ignored)
            assert value in curve.values() and value >= max(curve.values()) - 1e-4
        else:  # a pruned trial's value is its last report
            assert value == curve[str(len(curve))]
    assert {json.loads(p)["embedding_dim"] for p in table["params"]} == {8}
    best = table[table["best"]]
    assert len(best) == 1 and best["value"].item() == table["value"].max()
    assert (table["best_value"] == best["value"].item()).all()
    assert (table["best_params"] == best["params"].item()).all()
    assert set(table["label"]) == {"toy"} and set(table["threads"]) == {1}


def test_the_share_is_tuning_seconds_over_the_whole_run(share):
    table, _, _ = share
    row = table.iloc[0]
    assert 0 < row["tuning_cpu"] < row["run_cpu"] and 0 < row["tuning_wall"] < row["run_wall"]
    assert row["share_cpu"] == row["tuning_cpu"] / row["run_cpu"]
    assert row["share_wall"] == row["tuning_wall"] / row["run_wall"]
    assert row["backbone_tuning_cpu"] == row["tuning_cpu"]  # one backbone tuned
    assert row["tuning_cpu"] <= row["nodes_cpu"] < row["main_cpu"] <= row["run_cpu"]


def test_the_run_is_the_scratch_projects_and_its_storage_is_not_left_behind(share):
    table, _, project = share
    (trials,) = (project / "data" / "08_reporting" / "tuning").glob("mf_trials.csv/*/*.csv")
    assert pd.read_csv(trials)["value"].tolist() == table["value"].tolist()
    assert not list(project.rglob("*.db"))  # the study lived in a temporary folder


def test_set_values_are_yaml_and_threads_come_first():
    import tuning_share

    args = tuning_share.parse_arguments(["--threads", "2", "--set", "a.b=[1, 2]", "c=x"])
    assert tuning_share.run_params(args) == {"runtime.threads": 2, "a.b": [1, 2], "c": "x"}


def test_node_times_sum_per_backbone_only_over_tuning_nodes():
    import tuning_share

    trials = pd.DataFrame(
        {"backbone": ["mf", "lightgcn"], "params": ["{}", "{}"], "value": [0.7, 0.6]}
    ).assign(best=True)
    nodes = [
        {"node": "mf.tuning.tune", "cpu": 2.0, "wall": 3.0},
        {"node": "lightgcn.tuning.tune", "cpu": 4.0, "wall": 5.0},
        {"node": "mf.original.train", "cpu": 10.0, "wall": 10.0},
    ]
    timed = {"nodes": nodes, "run_cpu": 24.0, "run_wall": 32.0, "main_cpu": 20.0}
    table = tuning_share.share_table(trials, timed)
    assert table["backbone_tuning_cpu"].tolist() == [2.0, 4.0]
    assert (table["share_cpu"] == 0.25).all() and (table["share_wall"] == 0.25).all()
    assert (table["share_main_cpu"] == 0.3).all() and (table["nodes_cpu"] == 16.0).all()
