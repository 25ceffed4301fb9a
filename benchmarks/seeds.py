"""Every metric, completeness coefficient and unlearning speed-up over several seeds.

Runs the whole default pipeline once per seed (each seed re-splits, re-poisons and
retrains) and saves to the catalog, after every seed (an interrupted run leaves the
seeds it finished):

- ``bmk_seeds``: mean / std / count of every metric per (backbone, model);
- ``bmk_seeds_completeness``: the same for the completeness coefficients;
- ``bmk_seeds_speed``: per seed, each method's wall time and its speed-up
  ``retrain seconds / method seconds``, both measured in the same run;
- ``bmk_seeds_raw``: the per-seed metric values;
- ``bmk_seeds_machine``: one row: protocol, command, device, threads, date, commit and
  load average (at the start and the end), read by ``kedro run --pipelines=results``.

Usage: ``python benchmarks/seeds.py [--seeds 1 2 3] [--threads N] [--env alteraser]``
"""

from __future__ import annotations

import argparse
import logging

import kedro_runs
import pandas as pd
from machine import commit, load_average, machine_table

from recunlearn.grid import GridConfig
from recunlearn.pipelines.grid import methods_on

logger = logging.getLogger("benchmarks.seeds")


def method_times(catalog, seed: int, grid: GridConfig) -> pd.DataFrame:
    """Wall time of every method of the run's grid and its speed-up over Retrain."""
    rows = []
    for backbone in grid.backbones:
        # a cell the method refuses (IFRU on ENMF) is not in the DAG: no log to read
        logs = {m: catalog.load(f"{backbone}.{m}.log") for m in methods_on(backbone, grid.methods)}
        retrain = logs["retrain"]["seconds"]
        for method, log in logs.items():
            rows.append(
                {
                    "seed": seed,
                    "backbone": backbone,
                    "method": method,
                    "seconds": log["seconds"],
                    "speedup_vs_retrain": retrain / log["seconds"]
                    if log["seconds"]
                    else float("nan"),
                    "threads": log["threads"],
                    "device": log["device"],
                }
            )
    return pd.DataFrame(rows)


def summarise(frame: pd.DataFrame, keys: list[str], value: str) -> pd.DataFrame:
    return frame.groupby(keys)[value].agg(["mean", "std", "count"]).reset_index()


def machine_record(args: argparse.Namespace, times: pd.DataFrame, load_before: str) -> dict:
    """Where and how the benchmark ran, for the results page: :func:`machine.machine_table`'s
    record (the commit as the seeds so far are saved) with the protocol first."""
    devices = ", ".join(sorted(set(times["device"].astype(str))))
    threads = ", ".join(str(t) for t in sorted(set(times["threads"])))
    started = {"commit": commit(), "load_before": load_before}
    record = machine_table("seeds.py", None, devices, threads, started).iloc[0].to_dict()
    return {"protocol": args.env or "ifru", **record}


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--env", default=None, help="Kedro environment, e.g. alteraser")
    return parser.parse_args(argv)


def save_results(args, metrics, completeness, speed, load_before: str) -> pd.DataFrame:
    """Every dataset of the seeds run so far (one more version after each seed, so an
    interrupted benchmark still leaves the seeds it finished)."""
    raw, comp, times = (pd.concat(f, ignore_index=True) for f in (metrics, completeness, speed))
    catalog = kedro_runs.catalog(env=args.env)
    catalog.save("bmk_seeds_raw", raw)
    catalog.save("bmk_seeds", summarise(raw, ["backbone", "model", "metric"], "value"))
    catalog.save(
        "bmk_seeds_completeness", summarise(comp, ["backbone", "model", "metric"], "completeness")
    )
    catalog.save("bmk_seeds_speed", times)
    catalog.save("bmk_seeds_machine", pd.DataFrame([machine_record(args, times, load_before)]))
    return times


def main() -> None:
    args = parse_arguments()
    load_before = load_average()
    metrics, completeness, speed = [], [], []
    for seed in args.seeds:
        # nested: the parameter check refuses dotted runtime keys such as "runtime.threads"
        params = {"seed": seed, "runtime": {"threads": args.threads}}
        kedro_runs.run("__default__", params, args.env)
        catalog = kedro_runs.catalog(params, args.env)
        metrics.append(catalog.load("rpt_metrics").assign(seed=seed))
        completeness.append(catalog.load("rpt_completeness").assign(seed=seed))
        grid = GridConfig.model_validate(catalog.load("params:grid"))
        speed.append(method_times(catalog, seed, grid))
        times = save_results(args, metrics, completeness, speed, load_before)
    logger.info("\n%s", summarise(times, ["backbone", "method"], "speedup_vs_retrain").to_string())


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
