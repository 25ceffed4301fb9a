"""Mean and standard deviation of every metric over several seeds (the default protocol).

Runs the whole default pipeline once per seed and saves the aggregate to the catalog
dataset ``bmk_seeds`` (``data/08_reporting/benchmarks/seeds.csv``), with the per-seed
values in ``bmk_seeds_raw``.

Usage: ``python benchmarks/seeds.py [--seeds 1 2 3] [--threads N]``
"""

from __future__ import annotations

import argparse
import logging

import kedro_runs
import pandas as pd

logger = logging.getLogger("benchmarks.seeds")
HEADLINE = ["auc_0", "auc_1", "auc_2", "recall@20", "ndcg@20", "repredict", "rbo@10"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    frames = []
    for seed in args.seeds:
        params = {"seed": seed, "runtime.threads": args.threads}
        kedro_runs.run("__default__", params)
        frames.append(kedro_runs.catalog(params).load("rpt_metrics").assign(seed=seed))
    raw = pd.concat(frames, ignore_index=True)
    summary = (
        raw.groupby(["backbone", "model", "metric"])["value"]
        .agg(["mean", "std", "count"])
        .reset_index()
    )
    catalog = kedro_runs.catalog()
    catalog.save("bmk_seeds_raw", raw)
    catalog.save("bmk_seeds", summary)
    headline = summary[summary["metric"].isin(HEADLINE)]
    logger.info(
        "\n%s",
        headline.pivot_table(
            index=["backbone", "model"], columns="metric", values="mean"
        ).to_string(),
    )


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
