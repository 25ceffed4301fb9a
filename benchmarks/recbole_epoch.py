"""RecBole's BPR training epochs on its own ML-100K, timed; run by ``recbole_bpr.py`` with
the interpreter of a separate virtual environment that has RecBole (it needs numpy < 2).

Prints one JSON object: ``rows`` (the training interactions an epoch passes over: each
a positive with one uniformly sampled negative), ``seconds`` (each timed epoch's wall
time, ``Trainer._train_epoch``: the batches, their negative sampling and the Adam
steps), ``recbole`` (its version) and ``threads``.

Usage: ``<venv>/bin/python benchmarks/recbole_epoch.py --epochs 5 --threads 1
--embedding-dim 64 --batch-size 2048 --lr 0.001``
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--embedding-dim", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=2048)
    parser.add_argument("--lr", type=float, default=0.001)
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_arguments(argv)
    import recbole
    import torch
    from recbole.config import Config
    from recbole.data import create_dataset, data_preparation
    from recbole.model.general_recommender import BPR
    from recbole.trainer import Trainer

    torch.set_num_threads(args.threads)
    logging.disable(logging.CRITICAL)
    with tempfile.TemporaryDirectory() as scratch:
        config = Config(
            model="BPR",
            dataset="ml-100k",
            config_dict={
                "data_path": os.path.join(os.path.dirname(recbole.__file__), "dataset_example"),
                "embedding_size": args.embedding_dim,
                "train_batch_size": args.batch_size,
                "learning_rate": args.lr,
                "epochs": args.epochs,
                "seed": args.seed,
                "reproducibility": True,
                "use_gpu": False,
                "show_progress": False,
                "checkpoint_dir": scratch,
                "state": "ERROR",
            },
        )
        torch.set_num_threads(args.threads)  # Config may have set its own
        dataset = create_dataset(config)
        train_data, _, _ = data_preparation(config, dataset)
        model = BPR(config, train_data.dataset)
        trainer = Trainer(config, model)
        seconds = []
        for epoch in range(args.epochs):
            start = time.perf_counter()
            trainer._train_epoch(train_data, epoch)
            seconds.append(time.perf_counter() - start)
    result = {
        "rows": len(train_data.dataset),
        "seconds": seconds,
        "recbole": recbole.__version__,
        "threads": torch.get_num_threads(),
    }
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
