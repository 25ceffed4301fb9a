"""MF's closed-form training step against the autograd step, side by side, on MovieLens-100K.

Both paths train MF from the same seed on the poisoned training rows (``mi_train``) with
the configured ``training.mf`` hyperparameters, alternating in one process: the autograd
path is MF subclassed (``closed_form_applies`` refuses a subclass, so it trains through
autograd with the same arithmetic). Per repeat it times ``--epochs`` fixed epochs of each
(wall time of the training loop, and this process's CPU time around ``train_model``,
which a loaded machine inflates less) and checks that their parameters are bitwise equal; then it trains both with early
stopping on ``prm_valid`` and compares the best validation AUC. The floor is the dense
Adam traffic of an epoch (read parameter, gradient and both moments, write parameter and
both moments: 7 x 4 bytes per parameter per step) at the measured single-thread memory
bandwidth (a STREAM-style add on 64 MiB arrays). Saves ``bmk_mf_step_speed``
(``data/08_reporting/benchmarks/mf_step_speed.csv``): one row per repeat and path, and
``bmk_mf_step_speed_machine`` (one row: command, device, threads, date, commit, load).

Usage: ``python benchmarks/mf_step_speed.py [--threads 1] [--repeats 5] [--epochs 5]``
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from datetime import UTC, datetime

import kedro_runs
import pandas as pd
import torch
from kedro.io import DataCatalog
from machine import machine_table, start

from recunlearn.models.config import MFConfig
from recunlearn.models.mf import MatrixFactorization
from recunlearn.training.trainer import train_model

logger = logging.getLogger("benchmarks.mf_step_speed")
ADAM_BYTES_PER_PARAMETER = 7 * 4


class AutogradMF(MatrixFactorization):
    """MF itself, but a subclass: its steps take the autograd path."""


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=5)
    return parser.parse_args(argv)


def memory_bandwidth(mebibytes: int = 64, repeats: int = 20) -> float:
    """Bytes per second of ``c = a + b`` on large arrays (2 reads, 1 write), best of repeats."""
    n = mebibytes * 2**20 // 4
    a, b, c = torch.ones(n), torch.ones(n), torch.empty(n)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        torch.add(a, b, out=c)
        best = min(best, time.perf_counter() - start)
    return 3 * 4 * n / best


def train(model_type: type, shape: tuple[int, int], data: dict, cfg: MFConfig, epochs: int):
    """A fresh seeded model of ``model_type`` trained on ``data`` (valid rows or none)."""
    cfg = cfg.model_copy(update={"max_epochs": epochs})
    init = torch.Generator().manual_seed(0)
    model = model_type(*shape, cfg.embedding_dim, cfg.init_std, generator=init)
    cpu_start = time.process_time()
    log = train_model(model, data["train"], data["valid"], cfg, torch.Generator().manual_seed(1))
    log.cpu_seconds = time.process_time() - cpu_start  # this process's CPU time, all of it
    return model, log


def same_parameters(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    return all(torch.equal(x, y) for x, y in zip(a.parameters(), b.parameters(), strict=True))


def timed_rows(shape, data, cfg, args, floor: float) -> list[dict]:
    """``--repeats`` x (autograd, closed form) fixed-epoch timings, alternating."""
    rows = []
    fixed = {"train": data["train"], "valid": data["train"].iloc[:0]}
    for repeat in range(args.repeats):
        reference, log = train(AutogradMF, shape, fixed, cfg, args.epochs)
        fast, fast_log = train(MatrixFactorization, shape, fixed, cfg, args.epochs)
        identical = same_parameters(reference, fast)
        for path, run in (("autograd", log), ("closed_form", fast_log)):
            rows.append(
                {
                    "repeat": repeat,
                    "path": path,
                    "seconds_per_epoch": run.seconds_per_epoch,
                    "cpu_seconds_per_epoch": run.cpu_seconds / run.epochs,
                    "floor_seconds": floor,
                    "ratio_to_floor": run.seconds_per_epoch / floor,
                    "parameters_bitwise_equal": identical,
                }
            )
    return rows


def converged_aucs(shape, data, cfg) -> dict[str, float]:
    """Best validation AUC of each path trained with early stopping (configured epochs)."""
    return {
        path: train(model_type, shape, data, cfg, cfg.max_epochs)[1].best_valid_auc
        for path, model_type in (("autograd", AutogradMF), ("closed_form", MatrixFactorization))
    }


def poisoned_ml100k(threads: int) -> tuple[DataCatalog, tuple[int, int], dict, MFConfig]:
    """The base protocol's ingestion and poisoning, run: its catalog, (users, items), the
    training and validation rows and the configured MF settings."""
    params = {"runtime.threads": threads}
    kedro_runs.run("ingestion", params)
    kedro_runs.run("poisoning", params)
    catalog = kedro_runs.catalog(params)
    interactions = catalog.load("int_interactions")
    shape = (int(interactions["user"].max()) + 1, int(interactions["item"].max()) + 1)
    data = {"train": catalog.load("mi_train"), "valid": catalog.load("prm_valid")}
    cfg = MFConfig.model_validate(catalog.load("params:training")["mf"].model_dump())
    return catalog, shape, data, cfg


def main(argv: list[str] | None = None) -> None:
    args, started = parse_arguments(argv), start()
    torch.set_num_threads(args.threads)
    catalog, shape, data, cfg = poisoned_ml100k(args.threads)
    steps = -(-len(data["train"]) // cfg.batch_size)
    bandwidth = memory_bandwidth()
    floor = steps * ADAM_BYTES_PER_PARAMETER * sum(shape) * cfg.embedding_dim / bandwidth
    table = pd.DataFrame(timed_rows(shape, data, cfg, args, floor))
    aucs = converged_aucs(shape, data, cfg)
    table["best_valid_auc"] = table["path"].map(aucs)
    table["bandwidth_gb_s"] = bandwidth / 1e9
    table["threads"] = args.threads
    table["load_1min"] = os.getloadavg()[0]
    table["date"] = datetime.now(UTC).isoformat(timespec="seconds")
    catalog.save("bmk_mf_step_speed", table)
    machine = machine_table("mf_step_speed.py", argv, "cpu", args.threads, started)
    catalog.save("bmk_mf_step_speed_machine", machine)
    logger.info("\n%s", table.to_string(index=False))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
