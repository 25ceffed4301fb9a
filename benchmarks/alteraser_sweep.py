"""AltEraser AH-Newton's speed / forgetting trade-off, on the catalog's latest run.

For one environment's latest split and Original model (run ``kedro run --env alteraser``
first), measures in one process: Retrain's wall time (retrained here, with the run's
seed stream), then AH-Newton for every (newton_steps, max_passes) setting: wall time
(median of ``--repeats``), speed-up = Retrain seconds / AH seconds, RBO@10 to Retrain,
re-predict score on D_r and AUC_0. Retrain* from the catalog gives the RBO yardstick.

``--seed`` must be the seed of the latest run (the retrained model is checked against
the catalog's Retrain, bit for bit). Writes ``bmk_alteraser_sweep`` (a versioned CSV in
that environment's reporting layer). Usage:
``python benchmarks/alteraser_sweep.py [--env alteraser] [--seed 1] [--backbone mf] [--repeats 3]``
"""

from __future__ import annotations

import argparse
import statistics
import time

import kedro_runs
import pandas as pd
import torch

from recunlearn.evaluation.metrics import evaluate_model
from recunlearn.models import backbone_config, model_from_payload
from recunlearn.unlearning import METHODS, UnlearningRequest

SETTINGS = [(steps, passes) for steps in (1, 2) for passes in (0, 1, 2, 5)]


def timed(method, request: UnlearningRequest, repeats: int):
    """The outcome of the last call and the median wall time over ``repeats`` calls."""
    seconds, outcome = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        outcome = method.unlearn(None, request)
        seconds.append(time.perf_counter() - start)
    return outcome, statistics.median(seconds)


def scorer(catalog, train: pd.DataFrame):
    """model, reference -> RBO@10 to the reference, re-predict on D_r and AUC_0."""
    test, forget = catalog.load("prm_test"), catalog.load("mi_forget")

    def scores(model, reference) -> dict[str, float]:
        metrics = evaluate_model(model, reference, train, test, forget, ks=(10,))
        return {k: metrics[k] for k in ("rbo@10", "repredict", "auc_0")}

    return scores


def sweep(catalog, backbone: str, repeats: int) -> pd.DataFrame:
    train = catalog.load("mi_train")
    scores = scorer(catalog, train)
    config = backbone_config(backbone, catalog.load(f"{backbone}.original.train_config"))
    original = model_from_payload(catalog.load(f"{backbone}.original.model"))
    request = UnlearningRequest(
        original,
        train,
        catalog.load("prm_valid"),
        config,
        seed=catalog.load("params:seed"),
    )
    methods = catalog.load("params:unlearning")
    retrain, retrain_seconds = timed(METHODS["retrain"](methods.get("retrain")), request, 1)
    reference = retrain.model
    stored = model_from_payload(catalog.load(f"{backbone}.retrain.model"))
    if any(
        not torch.equal(a, b)
        for a, b in zip(reference.parameters(), stored.parameters(), strict=True)
    ):
        raise SystemExit("Retrain differs from the catalog's: pass the latest run's --seed")
    star = model_from_payload(catalog.load(f"{backbone}.retrain_star.model"))
    rows = [
        {"model": "retrain", "seconds": retrain_seconds, **scores(reference, reference)},
        {"model": "retrain_star", **scores(star, reference)},
        {"model": "original", **scores(original, reference)},
    ]
    base = dict(methods.get("alteraser_ah", {}))
    for steps, passes in SETTINGS:
        method = METHODS["alteraser_ah"](base | {"newton_steps": steps, "max_passes": passes})
        outcome, seconds = timed(method, request, repeats)
        rows.append(
            {
                "model": "alteraser_ah",
                "newton_steps": steps,
                "max_passes": passes,
                "full_passes": outcome.log["full_passes"],
                "seconds": seconds,
                **scores(outcome.model, reference),
            }
        )
    table = pd.DataFrame(rows).assign(backbone=backbone, threads=torch.get_num_threads())
    return table.assign(speedup=retrain_seconds / table["seconds"])


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", default="alteraser")
    parser.add_argument("--seed", type=int, default=None, help="the latest run's seed")
    parser.add_argument("--backbone", default="mf")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    return parser.parse_args(argv)


def main() -> None:
    args = parse_arguments()
    torch.set_num_threads(args.threads)
    params = {} if args.seed is None else {"seed": args.seed}
    catalog = kedro_runs.catalog(params, args.env)
    table = sweep(catalog, args.backbone, args.repeats)
    catalog.save("bmk_alteraser_sweep", table)
    print(table.to_string())  # noqa: T201 - the script's report


if __name__ == "__main__":
    main()
