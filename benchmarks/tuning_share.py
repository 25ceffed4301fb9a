"""How much of a first default ``kedro run`` its tuning takes (issue 24).

Runs the pipelines (``__default__``) once, in a child process, on a fresh Optuna study
(a new SQLite file in a temporary folder, so every trial runs), with a hook timing every
node in wall and process CPU seconds. The whole run's CPU is the child's resource usage
with the worker processes it reaped (the shard pool's), its wall the child's lifetime:
what ``kedro run`` costs a user, start-up included (``main_cpu``: the child alone,
workers left out; ``nodes_cpu``: its nodes' sum). Saves ``bmk_tuning_share``: one row
per trial (backbone, number, state, parameters, epochs run, value, whether it is the
study's best, its validation curve), and on every row the run's numbers: each backbone's
tuning seconds and best parameters and value, all tuning nodes' seconds, the whole run's,
the share (CPU and wall), threads, date, load average (start and end), commit, label.

Usage: ``python benchmarks/tuning_share.py [--threads 1] [--env ENV] [--set key=value ...]
[--pipelines __default__] [--label X]``
"""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import kedro_runs
import pandas as pd
import yaml
from kedro.framework.hooks import hook_impl
from machine import commit

logger = logging.getLogger("benchmarks.tuning_share")
TUNING_NODE = ".tuning."
"""Tuning nodes are named ``<backbone>.tuning.tune``."""


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--env", default=None, help="Kedro environment")
    parser.add_argument("--set", nargs="*", default=[], help="parameters as key=value (YAML)")
    parser.add_argument("--pipelines", nargs="+", default=["__default__"])
    parser.add_argument("--label", default="")
    parser.add_argument("--project", type=Path, default=kedro_runs.PROJECT, help=argparse.SUPPRESS)
    parser.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def run_params(args: argparse.Namespace) -> dict:
    """The run's ``--params``: the thread count, then ``--set`` (the parent sets
    ``tuning.storage`` there)."""
    params = {"runtime.threads": args.threads}
    for pair in args.set:
        key, _, value = pair.partition("=")
        params[key] = yaml.safe_load(value)
    return params


class NodeTimes:
    """A Kedro hook: wall and process CPU seconds of every node of the run."""

    def __init__(self) -> None:
        self.started: dict[str, tuple[float, float]] = {}
        self.rows: list[dict] = []

    @hook_impl
    def before_node_run(self, node) -> None:
        self.started[node.name] = (time.perf_counter(), time.process_time())

    @hook_impl
    def after_node_run(self, node) -> None:
        wall, cpu = self.started.pop(node.name)
        self.rows.append(
            {
                "node": node.name,
                "wall": time.perf_counter() - wall,
                "cpu": time.process_time() - cpu,
            }
        )


def child_main(args: argparse.Namespace, params: dict) -> None:
    """In the child: the run, then its node times and this process's own CPU seconds
    (start-up included, worker processes not) as JSON in ``args.child``."""
    times = NodeTimes()
    kedro_runs.run(args.pipelines, params, args.env, hooks=(times,), project=args.project)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    main_cpu = usage.ru_utime + usage.ru_stime
    args.child.write_text(json.dumps({"nodes": times.rows, "main_cpu": main_cpu}))


def timed_run(args: argparse.Namespace, storage: str, folder: Path) -> dict:
    """The child run: its node times, wall seconds, and CPU seconds of it and its reaped
    workers."""
    out = folder / "nodes.json"
    command = [sys.executable, str(Path(__file__).resolve()), *forwarded(args, storage, out)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, cwd=args.project)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return json.loads(out.read_text()) | {"run_wall": wall, "run_cpu": cpu}


def forwarded(args: argparse.Namespace, storage: str, out: Path) -> list[str]:
    """The child's command line: this run's options, the storage and the output file."""
    sets = [*args.set, f"tuning.storage={storage}"]
    line = ["--threads", str(args.threads), "--pipelines", *args.pipelines]
    line += ["--project", str(args.project), "--child", str(out), "--set", *sets]
    return line + (["--env", args.env] if args.env else [])


def trial_rows(storage: str) -> pd.DataFrame:
    """One row per trial of every study in ``storage``: backbone (from the study name
    ``<dataset>-<backbone>-<hash>``), number, state, parameters, epochs run, value and
    validation curve (``{epoch: AUC}``, to try a pruning rule on)."""
    import optuna

    rows = []
    for name in optuna.get_all_study_names(storage):
        study = optuna.load_study(study_name=name, storage=storage)
        complete = [t for t in study.trials if t.state.name == "COMPLETE"]
        best = max(complete, key=lambda t: t.value).number if complete else None
        for trial in study.trials:
            rows.append(
                {
                    "backbone": name.rsplit("-", 2)[-2],
                    "trial": trial.number,
                    "state": trial.state.name,
                    "params": json.dumps(trial.params, sort_keys=True),
                    "epochs": trial.user_attrs.get("epochs", trial.last_step),
                    "value": trial.value,
                    "best": trial.number == best,
                    "curve": json.dumps(trial.intermediate_values),
                }
            )
    return pd.DataFrame(rows)


def share_table(trials: pd.DataFrame, timed: dict) -> pd.DataFrame:
    """``trials`` with each backbone's tuning seconds and best trial, and the run's totals
    and the tuning share on every row."""
    nodes = pd.DataFrame(timed["nodes"])
    tuning = nodes[nodes["node"].str.contains(TUNING_NODE, regex=False)]
    per_backbone = tuning.assign(backbone=tuning["node"].str.split(".").str[0])
    per_backbone = per_backbone.groupby("backbone")[["cpu", "wall"]].sum()
    best = trials[trials["best"]].set_index("backbone")[["params", "value"]]
    table = trials.join(per_backbone.add_prefix("backbone_tuning_"), on="backbone")
    table = table.join(best.add_prefix("best_"), on="backbone")
    table["tuning_cpu"], table["tuning_wall"] = tuning["cpu"].sum(), tuning["wall"].sum()
    table["run_cpu"], table["run_wall"] = timed["run_cpu"], timed["run_wall"]
    table["share_cpu"] = table["tuning_cpu"] / table["run_cpu"]
    table["share_wall"] = table["tuning_wall"] / table["run_wall"]
    table["main_cpu"], table["nodes_cpu"] = timed["main_cpu"], nodes["cpu"].sum()
    table["share_main_cpu"] = table["tuning_cpu"] / table["main_cpu"]
    return table


def stamped(table: pd.DataFrame, args: argparse.Namespace, load_start: float) -> pd.DataFrame:
    """``table`` with threads, date, load average, commit and label on every row."""
    return table.assign(
        threads=args.threads,
        date=datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        load_start=load_start,
        load_end=os.getloadavg()[0],
        commit=commit(args.project),
        label=args.label,
    )


def main(argv: list[str] | None = None) -> pd.DataFrame | None:
    args = parse_arguments(argv)
    if args.child is not None:
        child_main(args, run_params(args))
        return None
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="tuning_share-") as folder:
        storage = f"sqlite:///{folder}/optuna.db"
        timed = timed_run(args, storage, Path(folder))
        table = stamped(share_table(trial_rows(storage), timed), args, load_start)
    kedro_runs.catalog(env=args.env).save("bmk_tuning_share", table)
    summary = table.drop_duplicates("backbone")
    logger.info("\n%s", summary[["backbone", "best_value", "share_cpu", "share_wall"]])
    return table


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
