"""IFRU's whole update in training epochs of its backbone (``--backbone``, MF by default),
on ML-100K with a 2 % label flip, per seed and CG tolerance.

For each seed it splits ML-100K (the ingestion nodes, the seed's split), flips the labels
of 2 % of the training rows (the default protocol's attack, marked ``forget``), trains
the backbone's Original to its early stop on D and Retrain on D - D_r (the project's
training config), then times, in the same process:

- for each of ``--tols`` (default: the run's ``tol``), IFRU's ``prepare`` (learning
  time, once per model), then rounds of one request (``unlearn`` from the same prepared
  state, a new request each time) and one one-epoch training on D (no validation), in
  turn, so that both see the same load of a shared machine: the fastest request and the
  fastest epoch over max(``--repeats``, ``--epochs``) rounds;
- the phases of the request from its log (damping, set-up, gradient, solve, update).

It saves ``bmk_influence_update``: per seed and tolerance, ``update_epochs`` = request seconds / epoch
seconds, the speed-up over Retrain, CG's products and AUC_0 / AUC_1 with their
completeness, with the thread count, load average, date and ``--label`` (to run the same
script against another checkout: ``PYTHONPATH=<checkout>/src``), and
``bmk_influence_update_machine`` (one row: command, device, threads, date, commit, load).

Usage: ``python benchmarks/influence_update.py [--seeds 0 1 2] [--threads 1] [--label X]
[--backbone mf|lightgcn] [--tols 0.001 0.03]``
"""

from __future__ import annotations

import argparse
import datetime
import logging
import os
import sys
import time
from dataclasses import replace

import kedro_runs
import pandas as pd
import torch
from machine import machine_table, start

from recunlearn.data.requests import flip_labels
from recunlearn.evaluation.auc import auc_variants
from recunlearn.evaluation.completeness import completeness
from recunlearn.models import backbone_config, build_backbone
from recunlearn.parameters import IngestionConfig
from recunlearn.pipelines.ingestion.nodes import clean_ratings, split_dataset
from recunlearn.predictions import score_rows
from recunlearn.seeding import numpy_rng
from recunlearn.training import train_model
from recunlearn.unlearning import METHODS, PrepareContext, UnlearningRequest
from recunlearn.unlearning.retrain import training_streams

PHASES = ("damping", "unprepared", "setup", "gradient", "solve", "update")


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=5, help="rounds at least (one epoch each)")
    parser.add_argument("--repeats", type=int, default=5, help="rounds at least (one request each)")
    parser.add_argument("--ratio", type=float, default=0.02, help="label-flip share")
    parser.add_argument("--label", default="", help="names the checkout measured")
    parser.add_argument(
        "--set", nargs="*", default=[], help="IFRU settings over the run's (key=value)"
    )
    parser.add_argument("--backbone", choices=["mf", "lightgcn"], default="mf")
    parser.add_argument(
        "--tols", nargs="+", type=float, default=[None], help="CG tolerances (default: the run's)"
    )
    return parser.parse_args(argv)


class Protocol:
    """ML-100K split and poisoned for one seed, with the backbone's training config."""

    def __init__(self, catalog, seed: int, ratio: float, backbone: str = "mf") -> None:
        ingestion = IngestionConfig.model_validate(catalog.load("params:ingestion"))
        clean, _, _ = clean_ratings(catalog.load("raw_ratings"), "ml-100k", ingestion)
        train, self.valid, self.test, _ = split_dataset(clean, ingestion, seed)
        self.n_users, self.n_items = int(clean["user"].max()) + 1, int(clean["item"].max()) + 1
        self.marked = flip_labels(train, ratio, numpy_rng(seed, "poisoning", "label_flip"))
        self.config = backbone_config(backbone, catalog.load(f"params:training.{backbone}"))
        self.seed, self.backbone = seed, backbone

    def fit(self, rows: pd.DataFrame, max_epochs: int | None = None):
        """MF trained on ``rows`` (to its early stop, or ``max_epochs`` without validation)."""
        cfg, valid = self.config, self.valid
        if max_epochs is not None:
            cfg, valid = cfg.model_copy(update={"max_epochs": max_epochs}), valid.iloc[:0]
        init, batches = training_streams(self.seed, self.backbone)
        model = build_backbone(self.backbone, self.n_users, self.n_items, cfg, rows, init)
        log = train_model(model, rows, valid, cfg, batches)
        return model, log

    def aucs(self, model) -> dict[str, float]:
        forget = self.marked[self.marked["forget"]]
        return auc_variants(self.test, score_rows(model, self.test), forget)


def fastest(works: dict, rounds: int) -> dict:
    """Per named work: its last result and its fastest wall and process CPU seconds over
    ``rounds`` rounds, each round calling every work once, in turn (one thread: CPU time
    is the work, less sensitive to a loaded machine; taking turns gives each work the
    same load, so their ratio moves less)."""
    best = {name: (None, float("inf"), float("inf")) for name in works}
    for _ in range(rounds):
        for name, work in works.items():
            start, cpu_start = time.perf_counter(), time.process_time()
            result = work()
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
            _, best_wall, best_cpu = best[name]
            best[name] = (result, min(best_wall, wall), min(best_cpu, cpu))
    return best


def seed_rows(catalog, seed: int, settings: dict, args) -> list[dict]:
    """One seed: Retrain seconds, then IFRU's and an epoch's at each tolerance."""
    protocol = Protocol(catalog, seed, args.ratio, args.backbone)
    original, _ = protocol.fit(protocol.marked)
    start = time.perf_counter()
    retrain, retrain_log = protocol.fit(protocol.marked[~protocol.marked["forget"]])
    retrain_seconds = time.perf_counter() - start
    request = UnlearningRequest(original, protocol.marked, protocol.valid, protocol.config, seed)
    base = {
        "seed": seed,
        "backbone": args.backbone,
        "forget_rows": int(protocol.marked["forget"].sum()),
        "retrain_seconds": retrain_seconds,
        "retrain_epochs": retrain_log.epochs,
    }
    rows, rounds = [], max(args.repeats, args.epochs)
    for tol in args.tols:
        tolerance = {} if tol is None else {"tol": tol}
        row, outcome = ifru_row(request, settings | tolerance, rounds, protocol)
        row |= {"update_epochs": row["ifru_seconds"] / row["epoch_seconds"]}
        row |= {"update_epochs_cpu": row["ifru_cpu_seconds"] / row["epoch_cpu_seconds"]}
        row |= {"speedup": retrain_seconds / row["ifru_seconds"]}
        models = {"original": original, "retrain": retrain, "ifru": outcome.model}
        rows.append(base | row | completeness_columns(protocol, models))
    return rows


def ifru_row(
    request: UnlearningRequest, settings: dict, rounds: int, protocol: Protocol
) -> tuple[dict, object]:
    """IFRU's prepare, its fastest request (a new request per call: a request selects D_r
    and D - D_r once, cached) and the fastest one-epoch training, timed in turn, and the
    request's log."""
    method = METHODS["ifru"](settings)
    start = time.perf_counter()
    state = method.prepare(PrepareContext.of(request))
    prepare_seconds = time.perf_counter() - start
    works = {
        "ifru": lambda: method.unlearn(state, replace(request)),
        "epoch": lambda: protocol.fit(protocol.marked, 1),
    }
    timed = fastest(works, rounds)
    (outcome, seconds, cpu), (_, epoch, epoch_cpu) = timed["ifru"], timed["epoch"]
    row = {"tol": method.config.tol, "prepare_seconds": prepare_seconds}
    row |= {"ifru_seconds": seconds, "ifru_cpu_seconds": cpu}
    row |= {"epoch_seconds": epoch, "epoch_cpu_seconds": epoch_cpu}
    return row | logged(outcome.log), outcome


def logged(log: dict) -> dict:
    """The request's products, sizes and phases (of its last call)."""
    names = ("hvp_count", "iterations", "eliminated", "hessian_rows", "params_moved")
    names += ("converged", "curvature_restarts")
    return {name: log.get(name) for name in names} | {
        f"{phase}_seconds": log.get(f"{phase}_seconds") for phase in PHASES
    }


def completeness_columns(protocol: Protocol, models: dict) -> dict:
    """AUC_0 / AUC_1 of each model and IFRU's completeness coefficient of each."""
    values = {name: protocol.aucs(model) for name, model in models.items()}
    row = {}
    for metric in ("auc_0", "auc_1"):
        row |= {f"{name}_{metric}": v[metric] for name, v in values.items()}
        row[f"completeness_{metric}"] = completeness(
            *(values[name][metric] for name in ("ifru", "original", "retrain"))
        )
    return row


def main(argv: list[str] | None = None) -> pd.DataFrame:
    args = parse_arguments(argv)
    torch.set_num_threads(args.threads)
    catalog = kedro_runs.catalog({"runtime.threads": args.threads})
    settings = dict(catalog.load("params:unlearning")["ifru"])
    settings |= dict(pair.split("=", 1) for pair in args.set)
    known = METHODS["ifru"].config_type.model_fields  # another checkout may lack some
    settings = {key: value for key, value in settings.items() if key in known}
    load, started = os.getloadavg(), start()
    table = pd.DataFrame(
        [row for seed in args.seeds for row in seed_rows(catalog, seed, settings, args)]
    )
    table["label"], table["threads"] = args.label, torch.get_num_threads()
    table["settings"] = " ".join(args.set)
    table["load_start"], table["load_end"] = load[0], os.getloadavg()[0]
    table["date"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    catalog.save("bmk_influence_update", table)
    machine = machine_table("influence_update.py", argv, "cpu", args.threads, started)
    catalog.save("bmk_influence_update_machine", machine)
    shown = table[["label", "backbone", "seed", "tol", "epoch_seconds", "ifru_seconds", "update_epochs",
                   "update_epochs_cpu", "speedup", "hvp_count", "completeness_auc_0"]]  # fmt: skip
    sys.stdout.write(shown.to_string(index=False, float_format=lambda x: f"{x:.4g}") + "\n")
    return table


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    main()
