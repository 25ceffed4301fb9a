"""Seconds per epoch and epochs to converge of MF and LightGCN on MovieLens-100K.

Trains each backbone's Original model with the configured hyperparameters (through
the `training` pipeline, so the numbers are those of a real run), then saves one row
per backbone to the catalog dataset ``bmk_training_speed``
(``data/08_reporting/benchmarks/training_speed.csv``). Times from this shared machine
are noisy: compare the ratio column, measured in one run, rather than absolute seconds.

Usage: ``python benchmarks/training_speed.py [--threads N]``
"""

from __future__ import annotations

import argparse
import logging

import kedro_runs
import pandas as pd

logger = logging.getLogger("benchmarks.training_speed")


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    return parser.parse_args(argv)


def main() -> None:
    args = parse_arguments()
    params = {"runtime.threads": args.threads}
    kedro_runs.run("ingestion", params)
    kedro_runs.run("poisoning", params)
    kedro_runs.run("training", params)
    catalog = kedro_runs.catalog(params)
    rows = []
    for backbone in ("mf", "lightgcn"):
        log = catalog.load(f"{backbone}.original.log")
        rows.append(
            {
                "backbone": backbone,
                "device": log["device"],
                "threads": log["threads"],
                "epochs_run": log["epochs"],
                "epochs_to_converge": log["best_epoch"],
                "seconds_per_epoch": log["seconds_per_epoch"],
                "best_valid_auc": log["best_valid_auc"],
            }
        )
    table = pd.DataFrame(rows)
    mf_epoch = table.loc[table["backbone"] == "mf", "seconds_per_epoch"].iloc[0]
    table["epoch_time_vs_mf"] = table["seconds_per_epoch"] / mf_epoch
    catalog.save("bmk_training_speed", table)
    logger.info("\n%s", table.to_string(index=False))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
