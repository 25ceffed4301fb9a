"""Audit nodes: the population attack and the protocol's behavioural check per backbone.

torch and scikit-learn are imported inside the nodes (through the core), so that building
the pipelines imports neither.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from recunlearn.audits.config import AuditsConfig
from recunlearn.parameters import PoisoningConfig
from recunlearn.report.audit_table import audit_markdown
from recunlearn.runtime import RuntimeConfig, apply_runtime

logger = logging.getLogger(__name__)
NO_LIRA = ["backbone", "model", "score", "level"]
"""The columns of a backbone's LiRA table when LiRA did not run."""


def _behaviour(models: dict, marked: pd.DataFrame, kind: str, k: int) -> pd.DataFrame:
    """Per model: poison agreement (label flip) or fake-item exposure (noise injection)."""
    from recunlearn.audits.behaviour import fake_exposure, poison_agreement

    forget = marked[marked["forget"]]
    users = forget["user"].unique()
    tops = (
        _top_lists(models, users, marked[~marked["forget"]], k) if kind == "noise_injection" else {}
    )
    rows = []
    for name, model in models.items():
        row: dict[str, Any] = {"model": name}
        if kind == "label_flip":
            row["poison_agreement"] = poison_agreement(model, forget)
        elif kind == "noise_injection":
            row |= fake_exposure(tops[name], users, forget)
        rows.append(row)
    return pd.DataFrame(rows)


def audited_models(
    runtime: RuntimeConfig, payloads: dict[str, dict[str, Any]]
) -> tuple[Any, dict[str, Any]]:
    """(the run's device, every saved model of ``payloads`` on it, in eval mode)."""
    from recunlearn.models.building import model_from_payload

    device = apply_runtime(runtime)
    return device, {name: model_from_payload(p).to(device).eval() for name, p in payloads.items()}


def _top_lists(models: dict, users: np.ndarray, seen_rows: pd.DataFrame, k: int) -> dict:
    """Each model's top-k lists of ``users`` (rows ``seen_rows`` excluded)."""
    from recunlearn.evaluation.metrics import seen_matrix
    from recunlearn.evaluation.ranking import top_k_items

    first = next(iter(models.values()))
    seen = seen_matrix(seen_rows, first.n_users, first.n_items)
    return {
        name: top_k_items(model, users, seen, min(k, model.n_items))
        for name, model in models.items()
    }


def _category(models: dict, marked: pd.DataFrame, genres: pd.DataFrame, genre: str, k: int):
    """Per model: ``genre``'s share of the top-k lists of the users who deleted it."""
    from recunlearn.audits.behaviour import genre_share
    from recunlearn.data.metadata import genre_items

    items = genre_items(genres, genre, "int_item_genres")
    users = np.unique(marked.loc[marked["forget"], "user"].to_numpy())
    tops = _top_lists(models, users, marked[~marked["forget"]], k)
    return pd.DataFrame(
        [{"model": name, "genre_share": genre_share(top, items)} for name, top in tops.items()]
    )


def _fairness(models: dict, marked: pd.DataFrame, test: pd.DataFrame, groups, k: int):
    """Per model: NDCG@k by gender and age band, the gaps and their change from Original."""
    from recunlearn.audits.fairness import demographic_ndcg, with_gap_changes

    users = np.unique(test.loc[test["label"] == 1, "user"].to_numpy())
    tops = _top_lists(models, users, marked[~marked["forget"]], k)
    rows = [
        {"model": name} | demographic_ndcg(top, users, test, groups, k)
        for name, top in tops.items()
    ]
    return with_gap_changes(pd.DataFrame(rows))


def _population(models: dict, marked, test, kind: str, seed: int, backbone: str):
    """The population attack, fitted on Original, D_r against non-members drawn like it."""
    from recunlearn.audits.population import population_audit_of_kind
    from recunlearn.seeding import numpy_rng

    rng = numpy_rng(seed, "audits", "population", backbone)
    return population_audit_of_kind(models, marked, test, kind, seed, rng)


def audit_backbone(
    *,
    backbone: str,
    marked: pd.DataFrame,
    test: pd.DataFrame,
    genres: pd.DataFrame,
    groups: pd.DataFrame,
    audits: dict[str, Any],
    poisoning: dict[str, Any],
    runtime: dict[str, Any],
    seed: int,
    **payloads: dict[str, Any],
) -> pd.DataFrame:
    """One row per model (``payloads``: Original, Retrain, each method) of ``backbone``:
    the population attack, the protocol's behavioural check (the genre's share for a
    ``category`` request) and NDCG by demographic group where the dataset has groups.

    The parameter blocks are plain dicts validated here: with pydantic hints, Kedro
    paired this keyword node's hints with the wrong inputs (it built ``RuntimeConfig``
    from ``params:seed``)."""
    cfg, request = AuditsConfig.model_validate(audits), PoisoningConfig.model_validate(poisoning)
    _, models = audited_models(RuntimeConfig.model_validate(runtime), payloads)
    table = _behaviour(models, marked, request.kind, cfg.k)
    parts = []
    if request.kind == "category":
        parts.append(_category(models, marked, genres, request.genre, cfg.k))
    if len(groups):
        parts.append(_fairness(models, marked, test, groups, cfg.k))
    if cfg.population:
        parts.append(_population(models, marked, test, request.kind, seed, backbone))
    for part in parts:
        table = table.merge(part, on="model")
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
    pool_users: pd.DataFrame | None = None,
    **payloads: dict[str, Any],
) -> pd.DataFrame:
    """LiRA of every model of ``backbone`` (rows per model and score), with the reference
    models' training time in ``reference_seconds``; ``level`` is ``row`` (D_r's rows
    against matched held-out rows) or, for a ``user_wise`` request with an audit pool
    (``pool_users``: ``prm_audit_pool``), ``user`` (D_r's users against the pool's). No
    row when ``audits.lira.references`` is 0 or the backbone has no per-row loss (ENMF)."""
    from recunlearn.models import PER_ROW_BACKBONES

    cfg = AuditsConfig.model_validate(audits).lira
    if cfg.references == 0 or backbone not in PER_ROW_BACKBONES:
        # the stage trainer has no whole-data loss (ENMF): its references would not train
        # like Original, so LiRA is left out for it
        return pd.DataFrame(columns=NO_LIRA)
    run = RuntimeConfig.model_validate(runtime)
    device, models = audited_models(run, payloads)
    train = _reference_trainer(backbone, run, models, train_config, original_log, cfg, seed)
    train = partial(train, device=str(device))
    kind = PoisoningConfig.model_validate(poisoning).kind
    tables = [_row_level(backbone, models, marked, test, kind, train, cfg, seed)]
    if kind == "user_wise" and pool_users is not None and len(pool_users):
        tables.append(_user_level(backbone, models, marked, pool_users, train, cfg, seed))
    tables = [table for table in tables if len(table)]
    if not tables:
        return pd.DataFrame(columns=NO_LIRA)
    table = pd.concat(tables, ignore_index=True)
    table.insert(0, "backbone", backbone)
    return table


def _reference_trainer(backbone, run, models, train_config, original_log, cfg, seed):
    """``train_references`` bound to this backbone: ``train(pool, membership)``, through
    the run's StageRunner, each reference trained like Original (config, best epoch)."""
    from recunlearn.audits.references import train_references
    from recunlearn.execution import make_executor
    from recunlearn.models import backbone_config
    from recunlearn.training.stages import BackboneShape, StageRunner

    runner = StageRunner(make_executor(run.executor, run.workers, run.threads), run.stack_shards)
    shape, config = BackboneShape.of(models["original"]), backbone_config(backbone, train_config)
    epochs = cfg.epochs or max(1, int(original_log["best_epoch"]))
    return partial(train_references, runner, shape, config, seed=seed, epochs=epochs)


def _row_level(backbone, models, marked, test, kind, train, cfg, seed) -> pd.DataFrame:
    """Row-level LiRA: references on random halves of the rows of D plus the held-out
    rows matched to D_r (empty when no held-out row matches)."""
    from recunlearn.audits.lira import half_memberships
    from recunlearn.audits.non_members import non_member_candidates
    from recunlearn.audits.references import audit_pool, lira_audit
    from recunlearn.seeding import numpy_rng

    rng = numpy_rng(seed, "audits", "lira", backbone)
    candidates = non_member_candidates(kind, marked, test, rng)
    pool, members, non_members = audit_pool(marked, candidates, rng)
    if not len(members):
        logger.warning("%s: no held-out row matches D_r (%s): LiRA left out", backbone, kind)
        return pd.DataFrame()
    references = train(pool, half_memberships(len(pool), cfg.references, rng))
    table = lira_audit(models, references, members, non_members, cfg.fprs)
    return table.assign(level="row", reference_seconds=references.seconds)


def _user_level(backbone, models, marked, pool_users, train, cfg, seed) -> pd.DataFrame:
    """User-level LiRA: references on random halves of the users of D plus the audit
    pool's; members are D_r's users, non-members the pool's (no audited model saw them)."""
    from recunlearn.audits.user_lira import user_lira_audit, user_memberships
    from recunlearn.seeding import numpy_rng

    rng = numpy_rng(seed, "audits", "user_lira", backbone)
    columns = ["user", "item", "label"]
    pool = pd.concat([marked[columns], pool_users[columns]], ignore_index=True)
    references = train(pool, user_memberships(pool["user"].to_numpy(), cfg.references, rng))
    members = np.unique(marked.loc[marked["forget"], "user"].to_numpy())
    non_members = np.unique(pool_users["user"].to_numpy())
    table = user_lira_audit(models, references, members, non_members, cfg.fprs)
    return table.assign(level="user", reference_seconds=references.seconds)


def build_audit_report(audits: dict[str, Any], *tables: pd.DataFrame):
    """The report's audit section: markdown, the TPR-at-low-FPR figure and the HTML
    fragment the main report embeds (``tables``: every backbone's ``rpt_audit_``, then
    every backbone's ``rpt_lira_``)."""
    from recunlearn.report.audit_section import audit_html, tpr_figure

    half = len(tables) // 2
    shown = AuditsConfig.model_validate(audits).lira.shown
    audit, lira = tables[:half], tables[half:]
    figure = tpr_figure(lira, shown)
    section = audit_html(audit, lira, shown, figure)
    return audit_markdown(audit, lira, shown), figure, {"html": section}
