"""Influence methods' Hessian products against a training epoch, and CG's product count.

On the catalog's latest base run (run ``kedro run`` first: it reads ``mi_train`` and the
Original models), per backbone, with ``--threads`` torch threads (default 1):

- ``bmk_influence_hvp``: seconds per training epoch of the same backbone on the same
  rows (``train_model`` from Original's hyperparameters, no validation), and seconds
  per Hessian-vector product on IFRU's selection and Hessian rows: closed-form and
  ``torch.func``, exact and Gauss-Newton, each also as a fraction of the epoch;
- ``bmk_influence_solve``: IFRU's exact (Lanczos damping) and Gauss-Newton solves by CG
  with and without the block-Jacobi preconditioner: products, relative residual,
  seconds of the solve and of forming the blocks.

Both are ratios or counts measured in one process, with the thread count recorded.
Usage: ``python benchmarks/influence_speed.py [--threads N] [--repeats R] [--epochs E]``
"""

from __future__ import annotations

import argparse
import copy
import logging
import time

import kedro_runs
import pandas as pd
import torch

from recunlearn.influence.blocks import block_jacobi
from recunlearn.influence.curvature import hessian_operator, removed_gradient
from recunlearn.influence.objective import EmbeddingObjective
from recunlearn.influence.solvers import ConjugateGradient
from recunlearn.models import backbone_config, model_from_payload
from recunlearn.seeding import torch_generator
from recunlearn.training import train_model
from recunlearn.unlearning import METHODS, PrepareContext, UnlearningRequest
from recunlearn.unlearning.influence.base import hessian_row_mask

logger = logging.getLogger("benchmarks.influence_speed")
BACKBONES = ("mf", "lightgcn")


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=20, help="products timed per kind")
    parser.add_argument("--epochs", type=int, default=3, help="training epochs timed")
    return parser.parse_args(argv)


def epoch_seconds(request: UnlearningRequest, epochs: int, seed: int) -> float:
    """Seconds per epoch of training a copy of Original on D, without validation."""
    config = request.train_config.model_copy(update={"max_epochs": epochs})
    model = copy.deepcopy(request.original)
    rows = request.train_rows
    generator = torch_generator(seed, "benchmark", "epoch")
    return train_model(model, rows, rows.iloc[0:0], config, generator).seconds_per_epoch


def seconds_per_call(product, vector: torch.Tensor, repeats: int) -> float:
    product(vector)  # warm-up (lazy imports, allocator)
    start = time.perf_counter()
    for _ in range(repeats):
        product(vector)
    return (time.perf_counter() - start) / repeats


def ifru_problem(request: UnlearningRequest, settings: dict):
    """IFRU (with the run's ``settings``): objective, Hessian rows and b for the request."""
    method = METHODS["ifru"](settings)
    state = method.prepare(PrepareContext.of(request))
    selection = method.select(request, state)
    objective = EmbeddingObjective(request.original, selection, request.train_config.l2)
    rows = request.train_rows[hessian_row_mask(request, selection, state.neighbourhoods)]
    terms, _ = method.removed_terms(request, objective, state)
    return method, objective, rows, removed_gradient(objective, terms, closed_form=True)


def hvp_rows(backbone, request, objective, rows, epoch, args) -> list[dict]:
    vector = torch.randn(objective.initial().shape, generator=torch.Generator().manual_seed(0))
    out = []
    for products in ("closed_form", "autograd"):
        for hessian in ("exact", "gauss_newton"):
            product, _ = hessian_operator(
                objective, rows, hessian == "exact", products == "closed_form"
            )
            seconds = seconds_per_call(product, vector, args.repeats)
            out.append(
                {
                    "backbone": backbone,
                    "products": products,
                    "hessian": hessian,
                    "params": vector.numel(),
                    "hessian_rows": len(rows),
                    "epoch_seconds": epoch,
                    "hvp_seconds": seconds,
                    "hvp_per_epoch": seconds / epoch,
                    "threads": args.threads,
                }
            )
    return out


def solve_rows(backbone, request, method, objective, rows, rhs, args) -> list[dict]:
    damping = method.estimate_damping(PrepareContext.of(request)).damping
    out = []
    for hessian, shift in (("exact", damping), ("gauss_newton", 1.0)):
        product, curvature = hessian_operator(objective, rows, hessian == "exact", True)
        for preconditioner in ("none", "block_jacobi"):
            start = time.perf_counter()
            applied = None
            if preconditioner == "block_jacobi":
                applied = block_jacobi(curvature.diagonal_blocks(), shift)
            formed = time.perf_counter()
            cg = ConjugateGradient(shift, method.config.tol, method.config.max_iter, applied)
            result = cg.solve(product, rhs)
            out.append(
                {
                    "backbone": backbone,
                    "hessian": hessian,
                    "damping": shift,
                    "preconditioner": preconditioner,
                    "tol": method.config.tol,
                    "hvp_count": result.hvp_count,
                    "relative_residual": result.relative_residual,
                    "blocks_seconds": formed - start,
                    "solve_seconds": time.perf_counter() - formed,
                    "threads": args.threads,
                }
            )
    return out


def main() -> None:
    args = parse_arguments()
    torch.set_num_threads(args.threads)
    catalog = kedro_runs.catalog()
    train, seed = catalog.load("mi_train"), catalog.load("params:seed")
    settings = catalog.load("params:unlearning")["ifru"]
    hvps, solves = [], []
    for backbone in BACKBONES:
        original = model_from_payload(catalog.load(f"{backbone}.original.model"))
        config = backbone_config(backbone, catalog.load(f"{backbone}.original.train_config"))
        request = UnlearningRequest(original, train, train.iloc[0:0], config, seed)
        epoch = epoch_seconds(request, args.epochs, seed)
        method, objective, rows, rhs = ifru_problem(request, settings)
        hvps += hvp_rows(backbone, request, objective, rows, epoch, args)
        solves += solve_rows(backbone, request, method, objective, rows, rhs, args)
    hvp_table, solve_table = pd.DataFrame(hvps), pd.DataFrame(solves)
    catalog.save("bmk_influence_hvp", hvp_table)
    catalog.save("bmk_influence_solve", solve_table)
    logger.info("\n%s\n%s", hvp_table.to_string(index=False), solve_table.to_string(index=False))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
