"""How IFRU's speed-up over Retrain grows with the data, for two kinds of request.

For each size (ML-100K through the catalog, or a number of synthetic training rows) it
trains MF's Original to its early stop on D, then answers two deletion requests:

- ``share``: 2 % of the training rows (the share grows with |D|);
- ``fixed``: a fixed number of rows (``--rows``, the same request size at every |D|);

each with Retrain (trained to its early stop on D - D_r) and with IFRU (its learning-time
``prepare``, the Lanczos damping estimate, timed apart from the request), all in one
process on one device. Saves ``bmk_unlearning_speedup`` (seconds, epochs, speed-up with and
without the preparation; device, threads and torch version in every row) and
``bmk_unlearning_speedup_machine`` (one row: command, device, threads, date, commit, load).

Usage: ``python benchmarks/unlearning_speedup.py [--device auto|cpu|cuda]
[--sizes ml-100k 1e5 1e6] [--rows 1000] [--threads 1] [--seed 0] [--kinds share fixed]
[--tols 0.001 0.03]``
(``speedup_cpu``: the same ratio in process CPU seconds, steadier on a shared machine)
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from dataclasses import replace

import kedro_runs
import numpy as np
import pandas as pd
import torch
from machine import machine_table, start
from scaling_parts import SizedData, fresh_model, load_size

from recunlearn.models import backbone_config
from recunlearn.runtime import RuntimeConfig, apply_runtime
from recunlearn.seeding import numpy_rng, torch_generator
from recunlearn.training import train_model
from recunlearn.unlearning import METHODS, PrepareContext, UnlearningRequest

logger = logging.getLogger("benchmarks.unlearning_speedup")


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    parser.add_argument("--sizes", nargs="+", default=["ml-100k", "1e5", "1e6"])
    parser.add_argument("--rows", type=int, default=1000, help="rows of the fixed request")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--tols", nargs="+", type=float, default=[None], help="IFRU's CG tol (default: its own)"
    )
    parser.add_argument(
        "--kinds", nargs="+", choices=["share", "fixed"], default=["share", "fixed"]
    )
    return parser.parse_args(argv)


def requests(data: SizedData, rows: int, seed: int) -> dict[str, pd.DataFrame]:
    """D with its ``forget`` column for each request kind."""
    fixed = np.zeros(len(data.train), dtype=bool)
    chosen = numpy_rng(seed, "speedup", "fixed").choice(len(data.train), rows, replace=False)
    fixed[chosen] = True
    return {"share": data.train, "fixed": data.train.assign(forget=fixed)}


def timed(work, *arguments):
    """``work(*arguments)``, its wall seconds and its process CPU seconds."""
    start, cpu = time.perf_counter(), time.process_time()
    result = work(*arguments)
    return result, time.perf_counter() - start, time.process_time() - cpu


def request_row(original, train: pd.DataFrame, data: SizedData, cfg, args, device) -> list[dict]:
    """Retrain and IFRU (at each of ``--tols``) on one request: seconds, epochs, speed-ups."""
    request = UnlearningRequest(original, train, data.valid, cfg, args.seed, device)
    retrain, retrain_seconds, retrain_cpu = timed(METHODS["retrain"]().unlearn, None, request)
    base = {
        "forget_rows": int(train["forget"].sum()),
        "retrain_seconds": retrain_seconds,
        "retrain_epochs": retrain.log["epochs"],
    }
    return [base | ifru_columns(request, tol, retrain_seconds, retrain_cpu) for tol in args.tols]


def ifru_columns(request, tol: float | None, retrain_seconds: float, retrain_cpu: float) -> dict:
    """IFRU's prepare and request at CG tolerance ``tol`` (``None``: the default)."""
    method = METHODS["ifru"]({} if tol is None else {"tol": tol})
    state, prepare_seconds, _ = timed(method.prepare, PrepareContext.of(request))
    ifru, ifru_seconds, ifru_cpu = timed(method.unlearn, state, replace(request))
    return {
        "ifru_tol": method.config.tol,
        "ifru_seconds": ifru_seconds,
        "ifru_prepare_seconds": prepare_seconds,
        "ifru_products": ifru.log.get("hvp_count"),
        "ifru_converged": ifru.log.get("converged"),
        "speedup": retrain_seconds / ifru_seconds,
        "speedup_cpu": retrain_cpu / ifru_cpu,
        "speedup_with_prepare": retrain_seconds / (ifru_seconds + prepare_seconds),
    }


def measure(size: str, catalog, args, device: torch.device) -> list[dict]:
    data = load_size(size, catalog, args.seed)
    cfg = backbone_config("mf", catalog.load("params:training.mf"))
    original = fresh_model("mf", data, cfg, args.seed)
    order = torch_generator(args.seed, "speedup", "original")
    log = train_model(original, data.train, data.valid, cfg, order, device)
    base = {"size": size, "train_rows": len(data.train), "original_epochs": log.epochs}
    drawn = requests(data, min(args.rows, len(data.train)), args.seed)
    return [
        base | {"request": kind} | row
        for kind, train in drawn.items()
        if kind in args.kinds
        for row in request_row(original, train, data, cfg, args, device)
    ]


def main(argv: list[str] | None = None) -> pd.DataFrame:
    args, started = parse_arguments(argv), start()
    device = apply_runtime(RuntimeConfig(device=args.device, threads=args.threads))
    catalog = kedro_runs.catalog({"runtime.threads": args.threads})
    table = pd.DataFrame(
        [row for size in args.sizes for row in measure(size, catalog, args, device)]
    )
    table["device"] = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    table["threads"], table["torch"] = torch.get_num_threads(), torch.__version__
    table["load_end"] = os.getloadavg()[0]
    catalog.save("bmk_unlearning_speedup", table)
    name, threads = str(table["device"].iloc[0]), int(table["threads"].iloc[0])
    machine = machine_table("unlearning_speedup.py", argv, name, threads, started)
    catalog.save("bmk_unlearning_speedup_machine", machine)
    shown = table[["size", "request", "forget_rows", "retrain_seconds", "retrain_epochs",
                   "ifru_tol", "ifru_products", "ifru_seconds", "speedup", "speedup_cpu", "speedup_with_prepare"]]  # fmt: skip
    sys.stdout.write(shown.to_string(index=False, float_format=lambda x: f"{x:.4g}") + "\n")
    return table


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
