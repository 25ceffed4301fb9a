"""Audit nodes: the population attack and the protocol's behavioural check per backbone.

torch and scikit-learn are imported inside the nodes (through the core), so that building
the pipelines imports neither.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from recunlearn.audits.config import AuditsConfig
from recunlearn.parameters import PoisoningConfig
from recunlearn.report.audit_table import audit_markdown
from recunlearn.runtime import RuntimeConfig, apply_runtime


def _behaviour(models: dict, marked: pd.DataFrame, kind: str, k: int) -> pd.DataFrame:
    """Per model: poison agreement (label flip) or fake-item exposure (noise injection)."""
    from recunlearn.audits.behaviour import fake_exposure, poison_agreement
    from recunlearn.evaluation.metrics import seen_matrix
    from recunlearn.evaluation.ranking import top_k_items

    forget, retain = marked[marked["forget"]], marked[~marked["forget"]]
    rows = []
    for name, model in models.items():
        row: dict[str, Any] = {"model": name}
        if kind == "label_flip":
            row["poison_agreement"] = poison_agreement(model, forget)
        elif kind == "noise_injection":
            users = forget["user"].unique()
            seen = seen_matrix(retain, model.n_users, model.n_items)
            top = top_k_items(model, users, seen, min(k, model.n_items))
            row |= fake_exposure(top, users, forget)
        rows.append(row)
    return pd.DataFrame(rows)


def audited_models(
    runtime: RuntimeConfig, payloads: dict[str, dict[str, Any]]
) -> tuple[Any, dict[str, Any]]:
    """(the run's device, every saved model of ``payloads`` on it, in eval mode)."""
    from recunlearn.models.building import model_from_payload

    device = apply_runtime(runtime)
    return device, {name: model_from_payload(p).to(device).eval() for name, p in payloads.items()}


def audit_backbone(
    *,
    backbone: str,
    marked: pd.DataFrame,
    test: pd.DataFrame,
    audits: dict[str, Any],
    poisoning: dict[str, Any],
    runtime: dict[str, Any],
    seed: int,
    **payloads: dict[str, Any],
) -> pd.DataFrame:
    """One row per model (``payloads``: Original, Retrain, each method) of ``backbone``.

    The parameter blocks are plain dicts validated here: with pydantic hints, Kedro
    paired this keyword node's hints with the wrong inputs (it built ``RuntimeConfig``
    from ``params:seed``)."""
    from recunlearn.audits.population import population_audit

    cfg, kind = AuditsConfig.model_validate(audits), PoisoningConfig.model_validate(poisoning).kind
    _, models = audited_models(RuntimeConfig.model_validate(runtime), payloads)
    table = _behaviour(models, marked, kind, cfg.k)
    if cfg.population:
        population = population_audit(
            models["original"], models, marked, test, seed, flip_non_members=kind == "label_flip"
        )
        table = table.merge(population, on="model")
    table.insert(0, "backbone", backbone)
    return table


def lira_backbone(
    *,
    backbone: str,
    marked: pd.DataFrame,
    test: pd.DataFrame,
    audits: dict[str, Any],
    poisoning: dict[str, Any],
    runtime: dict[str, Any],
    seed: int,
    train_config: dict[str, Any],
    original_log: dict[str, Any],
    **payloads: dict[str, Any],
) -> pd.DataFrame:
    """LiRA of every model of ``backbone`` (rows per model and score), with the reference
    models' training time in ``reference_seconds``; no row when ``audits.lira.references``
    is 0 or the backbone has no per-row loss (ENMF)."""
    from recunlearn.models import PER_ROW_BACKBONES

    cfg = AuditsConfig.model_validate(audits).lira
    if cfg.references == 0 or backbone not in PER_ROW_BACKBONES:
        # the stage trainer has no whole-data loss (ENMF): its references would not train
        # like Original, so LiRA is left out for it
        return pd.DataFrame(columns=["backbone", "model", "score"])

    from recunlearn.audits.lira import half_memberships
    from recunlearn.audits.references import audit_pool, lira_audit, train_references
    from recunlearn.execution import make_executor
    from recunlearn.models import backbone_config
    from recunlearn.seeding import numpy_rng
    from recunlearn.training.stages import BackboneShape, StageRunner

    run = RuntimeConfig.model_validate(runtime)
    device, models = audited_models(run, payloads)
    rng = numpy_rng(seed, "audits", "lira", backbone)
    flip = PoisoningConfig.model_validate(poisoning).kind == "label_flip"
    pool, members, non_members = audit_pool(marked, test, flip, rng)
    runner = StageRunner(make_executor(run.executor, run.workers, run.threads), run.stack_shards)
    epochs = cfg.epochs or max(1, int(original_log["best_epoch"]))
    references = train_references(
        runner,
        BackboneShape.of(models["original"]),
        backbone_config(backbone, train_config),
        pool,
        half_memberships(len(pool), cfg.references, rng),
        seed,
        epochs,
        str(device),
    )
    table = lira_audit(models, references, members, non_members, cfg.fprs)
    table.insert(0, "backbone", backbone)
    table["reference_seconds"] = references.seconds
    return table


def build_audit_report(audits: dict[str, Any], *tables: pd.DataFrame) -> str:
    """The report's audit section (markdown): each backbone's table, then its LiRA table
    (``tables``: every backbone's ``rpt_audit_``, then every backbone's ``rpt_lira_``)."""
    half = len(tables) // 2
    shown = AuditsConfig.model_validate(audits).lira.shown
    return audit_markdown(tables[:half], tables[half:], shown)
