"""Audit power per protocol: which deletion requests let the attacks tell Original from Retrain.

An attack judges unlearning methods only where it detects Original (which saw D_r) above
Retrain (which did not). For each request kind of the project (label flip, noise injection,
private deletions, whole-user requests, a sensitive category), this script runs the base
protocol's steps through the pipelines with that request (``--backbone``'s Original and
Retrain only, tuning off), then the audits (the population attack and LiRA with
``audits.lira.references`` reference models on random row halves, non-members drawn like
D_r: ``recunlearn.audits.non_members``), and writes one row per protocol to
``bmk_audit_power``: the attacks' AUC and TPR at 1 % FPR for Original and Retrain with
their sampling errors, and whether either differs beyond two standard errors (``power``).
After ``user_wise`` it also runs user-level LiRA (``recunlearn.audits.user_lira``): as many
users as the request's are held out of D as the audit pool, and Original, Retrain and
references on random halves of the users train in this process (``--no-user-level``: not).

Every run writes new versions of the base protocol's data layers (as ``kedro run --params
poisoning.kind=...`` would): rerun ``kedro run`` afterwards for the base protocol's report.

Usage: ``python benchmarks/audit_power.py [--protocols label_flip private ...]
[--backbone mf] [--references 16] [--threads 1] [--no-user-level]``
"""

from __future__ import annotations

import argparse
import logging

import kedro_runs
import pandas as pd

from recunlearn.audits.power import auc_error, differs, rate_error

logger = logging.getLogger("benchmarks.audit_power")
PROTOCOLS = ("label_flip", "noise_injection", "private", "user_wise", "category")
STEPS = ("ingestion", "poisoning", "training", "unlearning", "audits")


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--protocols", nargs="+", choices=PROTOCOLS, default=list(PROTOCOLS))
    parser.add_argument("--backbone", default="mf", choices=["mf", "lightgcn"])
    parser.add_argument("--references", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--user-level",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="after user_wise, also user-level LiRA with an audit pool of held-out users",
    )
    return parser.parse_args(argv)


def measured(name: str, original: pd.Series, retrain: pd.Series, n_pos: int, n_neg: int):
    """Original's and Retrain's value of ``name`` with errors, and whether they differ."""

    def error(value: float) -> float:
        return auc_error(value, n_pos, n_neg) if name.endswith("auc") else rate_error(value, n_pos)

    first, second = float(original[name]), float(retrain[name])
    out = {
        f"original_{name}": first,
        f"original_{name}_se": error(first),
        f"retrain_{name}": second,
        f"retrain_{name}_se": error(second),
    }
    return out, differs(first, error(first), second, error(second))


def protocol_row(protocol: str, audit: pd.DataFrame, lira: pd.DataFrame) -> dict:
    """One protocol's power: the population attack's AUC (where ``audit`` has it), LiRA's
    (tail) AUC and TPR@1 %."""
    row: dict = {"protocol": protocol}
    if "population_auc" in audit:
        named = audit.set_index("model")
        n = int(named.loc["original", "n_members"])
        population, row["population_power"] = measured(
            "population_auc", named.loc["original"], named.loc["retrain"], n, n
        )
        row |= population | {"population_rows": n}
    tail = lira[lira["score"] == "tail"].set_index("model") if len(lira) else None
    if tail is None:
        return row | {"lira_power": False, "lira_rows": 0}
    sizes = int(tail.loc["original", "n_members"]), int(tail.loc["original", "n_non_members"])
    power = False
    for name in ("auc", "tpr@0.01"):
        values, differ = measured(name, tail.loc["original"], tail.loc["retrain"], *sizes)
        row |= {f"lira_{key}": value for key, value in values.items()}
        power |= differ
    return row | {"lira_power": power, "lira_rows": sizes[0]}


def user_level_lira(catalog, backbone: str, n_references: int, threads: int) -> pd.DataFrame:
    """User-level LiRA on the latest whole-user request: as many users as D_r's, drawn from
    the others, are held out of D (the audit pool); Original (D without them), Retrain
    (also without D_r) and the references (random halves of all users) train here."""
    import numpy as np

    from recunlearn.audits.references import References, train_references
    from recunlearn.audits.user_lira import user_lira_audit, user_memberships
    from recunlearn.execution import make_executor
    from recunlearn.models import backbone_config, model_from_payload
    from recunlearn.seeding import numpy_rng
    from recunlearn.training.stages import BackboneShape, StageRunner

    marked, seed = catalog.load("mi_train"), int(catalog.load("params:seed"))
    rng = numpy_rng(seed, "audits", "user_level", backbone)
    forget, users = marked["forget"].to_numpy(), marked["user"].to_numpy()
    requested = np.unique(users[forget])
    held = rng.choice(np.setdiff1d(np.unique(users), requested), len(requested), replace=False)
    kept = ~np.isin(users, held)
    pool = marked[["user", "item", "label"]]
    membership = np.vstack([kept, kept & ~forget, user_memberships(users, n_references, rng)])
    original = model_from_payload(catalog.load(f"{backbone}.original.model"))
    cfg = backbone_config(backbone, catalog.load(f"{backbone}.original.train_config"))
    epochs = max(1, int(catalog.load(f"{backbone}.original.log")["best_epoch"]))
    runner = StageRunner(make_executor("inprocess", 1, threads), True)
    shape = BackboneShape.of(original)
    trained = train_references(runner, shape, cfg, pool, membership, seed, epochs)
    references = References(trained.models[2:], trained.pool, membership[2:], trained.seconds)
    audited = {"original": trained.models[0], "retrain": trained.models[1]}
    return user_lira_audit(audited, references, requested, held)


def main() -> None:
    args = parse_arguments()
    rows = []
    for protocol in args.protocols:
        params = {
            "grid": {"backbones": [args.backbone], "methods": ["retrain"]},
            "poisoning": {"kind": protocol},
            "tuning": {"enabled": False},
            "audits": {"lira": {"references": args.references}},
            "runtime": {"threads": args.threads},
        }
        for step in STEPS:
            kedro_runs.run(step, params)
        catalog = kedro_runs.catalog(params)
        audit = catalog.load(f"rpt_audit_{args.backbone}")
        lira = catalog.load(f"rpt_lira_{args.backbone}")
        rows.append(protocol_row(protocol, audit, lira) | {"backbone": args.backbone})
        logger.info("%s: %s", protocol, rows[-1])
        if protocol == "user_wise" and args.user_level:
            users = user_level_lira(catalog, args.backbone, args.references, args.threads)
            level = protocol_row("user_wise (user level)", pd.DataFrame(), users)
            rows.append(level | {"backbone": args.backbone})
            logger.info("user level: %s", rows[-1])
    table = pd.DataFrame(rows)
    kedro_runs.catalog().save("bmk_audit_power", table)
    logger.info("\n%s", table.to_string())


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
