"""Rows per second and peak memory of training, evaluation and IFRU as the data grows.

For each size it times, on the device at hand (recorded with the torch thread count):
an MF epoch and a LightGCN epoch (mean of ``--epochs`` epochs after one warm-up epoch,
at each ``--batch-sizes``), a full evaluation (AUC_0/1/2, Recall/NDCG@10/20/50 over
every unseen item, RBO against a second model) and an IFRU unlearning of 2 % of the
training rows. Hyperparameters are the project's (``params:training.<backbone>``,
``params:unlearning.ifru``). ``--converge`` also trains each backbone to its early
stop at each batch size: the effect of the batch size on utility (best validation
AUC_0, epochs). The table is saved as the catalog dataset ``bmk_scaling``
(``data/08_reporting/benchmarks/scaling.csv``) and printed as a compact table.

Sizes: ``ml-100k`` (the protocol's split of MovieLens-100K, 59.6k training rows) or a
number of training rows (``1e6``) of the seeded synthetic dataset
(:mod:`recunlearn.data.synthetic`), with 1/8 as many validation and test rows.

Usage: ``python benchmarks/scaling.py [--device auto|cpu|cuda] [--sizes ml-100k 1e6]
[--threads N] [--batch-sizes 2048 16384] [--epochs 2] [--converge] [--skip ifru]``
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import kedro_runs
import pandas as pd
import torch
from scaling_parts import (
    PeakMemory,
    SizedData,
    fresh_model,
    load_size,
    unlearning_request,
)

from recunlearn.evaluation.metrics import evaluate_model
from recunlearn.models import Recommender, backbone_config
from recunlearn.models.config import TrainConfig
from recunlearn.predictions import rows_to_tensors, tensor_auc
from recunlearn.runtime import RuntimeConfig, apply_runtime
from recunlearn.seeding import torch_generator
from recunlearn.training import train_model
from recunlearn.unlearning import METHODS

PHASES = ("mf", "lightgcn", "evaluation", "ifru")


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    parser.add_argument("--sizes", nargs="+", default=["ml-100k", "1e6"])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch-sizes", nargs="+", type=int, default=[2048])
    parser.add_argument("--epochs", type=int, default=2, help="timed epochs per measurement")
    parser.add_argument("--converge", action="store_true", help="also train to early stop")
    parser.add_argument("--skip", nargs="*", choices=PHASES, default=[])
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


@dataclass
class Measured:
    """A phase's result, wall seconds, process CPU seconds and peak memory (MiB)."""

    result: Any
    seconds: float
    cpu_seconds: float
    peak_mib: float


def timed(device: torch.device, work: Callable[..., Any], *arguments: Any) -> Measured:
    """``work(*arguments)`` on ``device``, synchronised, with its time and peak memory."""
    with PeakMemory(device) as memory:
        start, cpu_start = time.perf_counter(), time.process_time()
        result = work(*arguments)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    return Measured(result, seconds, cpu_seconds, memory.peak_mib)


def validation_auc(model: Recommender, data: SizedData) -> float:
    users, items, labels = rows_to_tensors(data.valid, model.device)
    return tensor_auc(labels, model.score_pairs(users, items))


def epoch_rows(data: SizedData, backbone: str, cfg: TrainConfig, args, device) -> list[dict]:
    """Seconds per epoch (after a warm-up epoch) at each batch size, and the AUC reached.

    ``seconds`` is the epoch loop's wall time (``TrainLog.seconds``); ``cpu_seconds``
    the process CPU time of the whole ``train_model`` call, rows' transfer included.
    """
    rows = []
    for batch_size in args.batch_sizes:
        run = cfg.model_copy(update={"batch_size": batch_size, "max_epochs": 1, "patience": 10**6})
        model = fresh_model(backbone, data, run, args.seed)
        order = torch_generator(args.seed, "scaling", "batches", backbone)
        no_validation = data.valid.iloc[:0]
        train_model(model, data.train, no_validation, run, order, device)  # warm-up epoch
        timed_run = run.model_copy(update={"max_epochs": args.epochs})
        measured = timed(
            device, train_model, model, data.train, no_validation, timed_run, order, device
        )
        seconds = measured.result.seconds / args.epochs
        rows.append(
            {
                "phase": f"{backbone} epoch",
                "batch_size": batch_size,
                "seconds": seconds,
                "cpu_seconds": measured.cpu_seconds / args.epochs,
                "rows_per_second": len(data.train) / seconds,
                "peak_mib": measured.peak_mib,
                "auc": validation_auc(model, data),
                "epochs": 1 + args.epochs,
            }
        )
    return rows


def convergence_rows(data: SizedData, backbone: str, cfg: TrainConfig, args, device) -> list[dict]:
    """Training to early stop at each batch size: best validation AUC_0 and its epoch."""
    rows = []
    for batch_size in args.batch_sizes:
        run = cfg.model_copy(update={"batch_size": batch_size})
        model = fresh_model(backbone, data, run, args.seed)
        order = torch_generator(args.seed, "scaling", "batches", backbone)
        log = train_model(model, data.train, data.valid, run, order, device)
        rows.append(
            {
                "phase": f"{backbone} to early stop",
                "batch_size": batch_size,
                "seconds": log.seconds,
                "rows_per_second": len(data.train) * log.epochs / log.seconds,
                "auc": log.best_valid_auc,
                "epochs": log.best_epoch,
            }
        )
    return rows


def one_epoch_models(data: SizedData, configs: dict[str, Any], seed: int, device) -> dict:
    """MF and LightGCN after one epoch each (not random, not converged)."""
    models = {}
    for backbone in ("mf", "lightgcn"):
        cfg = configs[backbone].model_copy(update={"max_epochs": 1})
        models[backbone] = fresh_model(backbone, data, cfg, seed)
        order = torch_generator(seed, "scaling", "batches", backbone)
        train_model(models[backbone], data.train, data.valid.iloc[:0], cfg, order, device)
    return models


def evaluation_and_ifru(data: SizedData, configs: dict[str, Any], args, device) -> list[dict]:
    """A full evaluation of an MF model (RBO against a LightGCN one), then IFRU on it."""
    models, rows = one_epoch_models(data, configs, args.seed, device), []
    if "evaluation" not in args.skip:
        measured = timed(
            device, evaluate_model, models["mf"], models["lightgcn"], data.train, data.test,
            data.forget, (10, 20, 50), 0.9, device,
        )  # fmt: skip
        rows.append(
            {
                "phase": "full evaluation",
                "seconds": measured.seconds,
                "cpu_seconds": measured.cpu_seconds,
                "rows_per_second": len(data.test) / measured.seconds,
                "peak_mib": measured.peak_mib,
                "auc": measured.result["auc_0"],
            }
        )
    if "ifru" not in args.skip:
        request = unlearning_request(models["mf"], data, configs["mf"], args.seed, device)
        measured = timed(device, METHODS["ifru"](configs["ifru"]).unlearn, None, request)
        log = measured.result.log
        rows.append(
            {
                "phase": "ifru unlearning (mf)",
                "seconds": measured.seconds,
                "cpu_seconds": measured.cpu_seconds,
                "rows_per_second": len(data.train) / measured.seconds,
                "peak_mib": measured.peak_mib,
                "ifru_iterations": log.get("iterations"),
                "ifru_residual": log.get("relative_residual"),
                "ifru_hit_cap": log.get("hit_cap"),
            }
        )
    return rows


def measure(size: str, catalog, args, device: torch.device) -> list[dict[str, Any]]:
    data = load_size(size, catalog, args.seed)
    configs = {
        backbone: backbone_config(backbone, catalog.load(f"params:training.{backbone}"))
        for backbone in ("mf", "lightgcn")
    }
    configs["ifru"] = catalog.load("params:unlearning.ifru")
    rows = []
    for backbone in ("mf", "lightgcn"):
        if backbone not in args.skip:
            rows += epoch_rows(data, backbone, configs[backbone], args, device)
            if args.converge:
                rows += convergence_rows(data, backbone, configs[backbone], args, device)
    rows += evaluation_and_ifru(data, configs, args, device)
    for row in rows:
        row.update(size=size, train_rows=len(data.train), users=data.n_users, items=data.n_items)
    return rows


def main(argv: list[str] | None = None) -> pd.DataFrame:
    args = parse_arguments(argv)
    device = apply_runtime(RuntimeConfig(device=args.device, threads=args.threads))
    catalog = kedro_runs.catalog({"runtime.threads": args.threads})
    rows = [row for size in args.sizes for row in measure(size, catalog, args, device)]
    table = pd.DataFrame(rows)
    table["device"] = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    table["threads"] = torch.get_num_threads()
    table["torch"] = torch.__version__
    catalog.save("bmk_scaling", table)
    columns = ["size", "phase", "batch_size", "seconds", "cpu_seconds", "rows_per_second"]
    shown = table.reindex(columns=[*columns, "peak_mib", "auc", "epochs"])
    text = shown.to_string(index=False, float_format=lambda x: f"{x:.4g}")
    sys.stdout.write(f"device {table['device'].iloc[0]}, {args.threads} thread(s)\n{text}\n")
    return table


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
