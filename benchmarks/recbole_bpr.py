"""The project's MF training epoch beside RecBole's BPR epoch on MovieLens-100K, per row.

RecBole (1.2.1) needs numpy < 2, so it runs in a virtual environment of its own, whose
interpreter ``--recbole-python`` names; ``recbole_epoch.py`` times its epochs there. Each
of ``--repeats`` rounds times, in turn, ``--epochs`` epochs of the project's MF (its
closed-form step, the configured ``training.mf`` settings, on the base protocol's
poisoned training rows ``mi_train``, no validation) in this process, then ``--epochs``
epochs of RecBole's BPR (same embedding size, batch size and learning rate; its own
ML-100K split) in that interpreter, both on ``--threads`` threads.

The two do not train the same rows, so the table compares them per row: a project row
is one labelled (user, item) pair scored once (point-wise BCE); a RecBole row is one
training interaction scored with one sampled negative (pair-wise BPR, two logits). It
saves ``bmk_recbole_bpr`` (``data/08_reporting/benchmarks/recbole_bpr.csv``): per round
and side, rows per epoch, median seconds per epoch, rows per second, and the project's
lead (RecBole's seconds per row / the project's), and ``bmk_recbole_bpr_machine``.

Usage: ``python benchmarks/recbole_bpr.py --recbole-python <venv>/bin/python
[--threads 1] [--repeats 3] [--epochs 5]``
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import torch
from machine import machine_table, start
from mf_step_speed import poisoned_ml100k

from recunlearn.models.config import MFConfig
from recunlearn.models.mf import MatrixFactorization
from recunlearn.training.trainer import train_model

logger = logging.getLogger("benchmarks.recbole_bpr")
EPOCH_SCRIPT = Path(__file__).with_name("recbole_epoch.py")


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recbole-python", default=None, help="a venv's python with RecBole")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=5)
    return parser.parse_args(argv)


def project_epochs(
    rows: pd.DataFrame, shape: tuple[int, int], cfg: MFConfig, epochs: int
) -> list[float]:
    """Mean seconds per epoch of ``epochs`` epochs of MF, from a seeded initialisation, on
    ``rows`` (one value: the trainer times its loop as a whole)."""
    cfg = cfg.model_copy(update={"max_epochs": epochs})
    init = torch.Generator().manual_seed(0)
    model = MatrixFactorization(*shape, cfg.embedding_dim, cfg.init_std, generator=init)
    log = train_model(model, rows, rows.iloc[:0], cfg, torch.Generator().manual_seed(1))
    return [log.seconds_per_epoch]


def recbole_epochs(python: str, cfg: MFConfig, args: argparse.Namespace) -> dict:
    """RecBole's timed epochs (``recbole_epoch.py``'s JSON) from the interpreter ``python``,
    run in a scratch directory (RecBole writes its logs and tensorboard files into the
    working directory)."""
    command = [python, str(EPOCH_SCRIPT), "--epochs", str(args.epochs)]
    command += ["--threads", str(args.threads), "--embedding-dim", str(cfg.embedding_dim)]
    command += ["--batch-size", str(cfg.batch_size), "--lr", str(cfg.lr)]
    with tempfile.TemporaryDirectory() as scratch:
        run = subprocess.run(command, capture_output=True, text=True, cwd=scratch)
    if run.returncode != 0:
        tail = (run.stderr or run.stdout).strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"{python} {EPOCH_SCRIPT.name} failed: {tail[0]}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def side_row(repeat: int, side: str, rows: int, seconds: list[float], threads: int) -> dict:
    per_epoch = statistics.median(seconds)
    return {
        "repeat": repeat,
        "side": side,
        "rows_per_epoch": rows,
        "seconds_per_epoch": per_epoch,
        "rows_per_second": rows / per_epoch,
        "threads": threads,
    }


def side_by_side(rows: pd.DataFrame, shape, cfg: MFConfig, args, python: str) -> pd.DataFrame:
    """``args.repeats`` rounds of the project's epochs then RecBole's; the lead per round."""
    table = []
    for repeat in range(args.repeats):
        ours = project_epochs(rows, shape, cfg, args.epochs)
        table.append(side_row(repeat, "recunlearn MF", len(rows), ours, args.threads))
        theirs = recbole_epochs(python, cfg, args)
        side = f"RecBole {theirs['recbole']} BPR"
        table.append(side_row(repeat, side, theirs["rows"], theirs["seconds"], theirs["threads"]))
    frame = pd.DataFrame(table)
    per_row = 1 / frame["rows_per_second"]
    lead = per_row[1::2].to_numpy() / per_row[0::2].to_numpy()
    return frame.assign(lead=frame["repeat"].map(dict(enumerate(lead))))


def main(argv: list[str] | None = None) -> None:
    args, started = parse_arguments(argv), start()
    if not args.recbole_python:
        sys.exit(
            "benchmarks/recbole_bpr.py: --recbole-python is needed: the python of a virtual "
            "environment with recbole==1.2.1 and numpy<2 (docs/benchmarks.md)"
        )
    torch.set_num_threads(args.threads)
    catalog, shape, data, cfg = poisoned_ml100k(args.threads)
    table = side_by_side(data["train"], shape, cfg, args, args.recbole_python)
    table["date"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    catalog.save("bmk_recbole_bpr", table)
    machine = machine_table("recbole_bpr.py", argv, "cpu", args.threads, started)
    catalog.save("bmk_recbole_bpr_machine", machine)
    logger.info("\n%s", table.to_string(index=False))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
