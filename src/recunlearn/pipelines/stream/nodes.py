"""Stream nodes: draw the stream, answer it per (backbone, method), retrain at checkpoints,
evaluate every checkpoint against its matched Retrain, and summarise the costs.

Torch and the metrics are imported inside the nodes, so building the pipeline imports
neither.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from recunlearn.data.request_stream import draw_request_stream
from recunlearn.runtime import RuntimeConfig
from recunlearn.seeding import numpy_rng
from recunlearn.unlearning import METHODS
from recunlearn.unlearning.stream_config import StreamConfig
from recunlearn.unlearning.stream_costs import (
    APPROXIMATE,
    amortised_table,
    cumulative_cost_table,
    request_log,
)
from recunlearn.unlearning.user_groups import groupings_from_tables

logger = logging.getLogger(__name__)
RETRAINS = ("retrain", "retrain_star")
"""The ground truths: run at the checkpoints by their own nodes, not along the stream."""


def make_request_stream(
    train: pd.DataFrame, interactions: pd.DataFrame, stream: StreamConfig, seed: int
) -> pd.DataFrame:
    """D with its ``request`` column, fixed by ``seed`` before any method runs."""
    cfg = StreamConfig.model_validate(stream)
    rng = numpy_rng(seed, "stream", cfg.request.kind)
    table = draw_request_stream(train, interactions, cfg.request, cfg.n_requests, rng)
    sizes = np.bincount(table["request"][table["request"] >= 0], minlength=cfg.n_requests)
    logger.info("Request stream: %d requests of %s rows", cfg.n_requests, sizes.tolist())
    return table


def _stream_parts(table: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """(D with no ``forget`` mark, the per-row request index) of a stream table."""
    index = table["request"].to_numpy(dtype=np.int64)
    return table.drop(columns="request").assign(forget=False), index


def answer_stream(
    original: dict[str, Any],
    table: pd.DataFrame,
    valid: pd.DataFrame,
    method_config: dict[str, Any] | None,
    train_config: Any,
    seed: int,
    runtime: RuntimeConfig,
    stream: StreamConfig,
    user_groups: pd.DataFrame | None = None,
    cohesion: pd.DataFrame | None = None,
    *,
    method: str,
) -> tuple[Any, ...]:
    """(per-request log table, the model after each checkpoint's request count...):
    ``method`` prepared once on D, then answering every request in order."""
    from recunlearn.models.building import model_payload
    from recunlearn.pipelines.unlearning.nodes import unlearning_request
    from recunlearn.unlearning.base import PrepareContext
    from recunlearn.unlearning.stream import unlearn_stream

    cfg = StreamConfig.model_validate(stream)
    rows, index = _stream_parts(table)
    request = unlearning_request(original, rows, valid, train_config, seed, runtime)
    METHODS[method].check_backbone(request.original.name)
    answering = METHODS[method](method_config)
    groupings = None if user_groups is None else groupings_from_tables(user_groups, cohesion)
    state = answering.prepare(PrepareContext.of(request, groupings))
    logs, models = [], {}
    for k, outcome in enumerate(unlearn_stream(answering, state, request, index, cfg.n_requests)):
        logs.append(outcome.log)
        if k + 1 in cfg.checkpoint_counts():
            models[k + 1] = model_payload(outcome.model)
    log = request_log(logs, 0.0 if state is None else state.seconds)
    logger.info("stream %s: %.2fs in all", method, log["cumulative_seconds"].iloc[-1])
    return (log, *(models[c] for c in cfg.checkpoint_counts()))


def retrain_at(
    original: dict[str, Any],
    table: pd.DataFrame,
    valid: pd.DataFrame,
    train_config: Any,
    seed: int,
    runtime: RuntimeConfig,
    *,
    method: str,
    count: int,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(model, log) of ``method`` (Retrain or Retrain*) on the rows left after ``count``
    requests: the ground truth matched to the stream's checkpoint ``count``."""
    from recunlearn.models.building import model_payload
    from recunlearn.pipelines.unlearning.nodes import unlearning_request

    rows, index = _stream_parts(table)
    removed = rows.assign(forget=(index >= 0) & (index < count))
    request = unlearning_request(original, removed, valid, train_config, seed, runtime)
    outcome = METHODS[method]().unlearn(None, request)
    log = {"method": method, "requests_done": count, **outcome.log}
    return model_payload(outcome.model), log


def _checkpoint_metrics(
    models: dict[str, Any], reference: Any, original: Any, rows, test, forget, cfg, device
) -> list[dict[str, Any]]:
    """Every report metric of each of ``models`` against the matched Retrain ``reference``."""
    from recunlearn.evaluation.metrics import evaluate_model
    from recunlearn.evaluation.prediction_completeness import prediction_metrics, prediction_rows

    out = []
    for name, model in models.items():
        metrics = evaluate_model(model, reference, rows, test, forget, cfg.ks, cfg.rbo_p, device)
        metrics |= prediction_metrics(model, original, reference, prediction_rows(test, forget))
        out.append({"method": name, **metrics})
    return out


def _population_columns(
    models: dict[str, Any], marked: pd.DataFrame, test: pd.DataFrame, seed: int, kind: str
) -> pd.DataFrame:
    """Per method: the population attack's AUC on the rows removed so far against held-out
    rows drawn like them (``kind``: the stream's request kind; fit on Original with the rows
    still kept), and the matched Retrain's beside."""
    from recunlearn.audits.population import population_audit_of_kind

    rng = numpy_rng(seed, "stream", "population", int(marked["forget"].sum()))
    audit = population_audit_of_kind(models, marked, test, kind, seed, rng).rename(
        columns={"model": "method", "n_members": "population_members"}
    )
    retrain = audit.loc[audit["method"] == "retrain", "population_auc"]
    return audit.assign(population_auc_retrain=float(retrain.iloc[0]))


def _checkpoint_models(inputs: dict[str, Any], count: int, device: Any) -> dict[str, Any]:
    """``{method: model}`` of the ``model__<method>__<count>`` inputs, on ``device``."""
    from recunlearn.models.building import model_from_payload

    return {
        key.split("__")[1]: model_from_payload(value).to(device)
        for key, value in inputs.items()
        if key.startswith("model__") and key.endswith(f"__{count}")
    }


def _checkpoint_frame(
    models: dict[str, Any],
    data: tuple[pd.DataFrame, pd.DataFrame, int],
    cfg: Any,
    device: Any,
    attack: tuple[int, str] | None,
) -> pd.DataFrame:
    """Every metric of ``models`` (Retrain and Original among them) after ``count``
    requests (``data``: the stream table, the test rows, ``count``), with the population
    attack's columns where ``attack`` gives its (seed, request kind)."""
    table, test, count = data
    removed = ((table["request"] >= 0) & (table["request"] < count)).to_numpy()
    marked = table.drop(columns="request").assign(forget=removed)
    forget = marked[marked["forget"]].reset_index(drop=True)
    rows = _checkpoint_metrics(
        models, models["retrain"], models["original"], table, test, forget, cfg, device
    )
    frame = pd.DataFrame(rows).assign(requests_done=count)
    if attack is None:
        return frame
    return frame.merge(_population_columns(models, marked, test, *attack), on="method")


def evaluate_stream(
    original: dict[str, Any],
    table: pd.DataFrame,
    test: pd.DataFrame,
    evaluation: Any,
    audits: dict[str, Any],
    seed: int,
    runtime: RuntimeConfig,
    stream: StreamConfig,
    *,
    backbone: str,
    **inputs: Any,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(every method's and Original's metrics at every checkpoint against the matched
    Retrain, with the population attack's AUC where ``audits.population``; the amortised
    costs and retrain-now points; the cumulative seconds per request). ``inputs``:
    ``model__<method>__<count>``, ``log__<method>`` (request logs) and
    ``retrain_log__retrain__<count>``."""
    from recunlearn.audits.config import AuditsConfig
    from recunlearn.models.building import model_from_payload
    from recunlearn.parameters import EvaluationConfig
    from recunlearn.runtime import apply_runtime

    cfg, plan = EvaluationConfig.model_validate(evaluation), StreamConfig.model_validate(stream)
    kind = plan.request.kind
    attack = (seed, kind) if AuditsConfig.model_validate(audits).population else None
    device = apply_runtime(runtime)
    baseline = model_from_payload(original).to(device).eval()
    frames = [
        _checkpoint_frame(
            {**_checkpoint_models(inputs, count, device), "original": baseline},
            (table, test, count),
            cfg,
            device,
            attack,
        )
        for count in plan.checkpoint_counts()
    ]
    metrics = pd.concat(frames, ignore_index=True).assign(backbone=backbone)
    first = ["backbone", "requests_done", "method"]
    metrics = metrics[first + [c for c in metrics.columns if c not in first]]
    return metrics, *_costs(metrics, inputs, plan, backbone)


def _costs(
    metrics: pd.DataFrame, inputs: dict[str, Any], plan: StreamConfig, backbone: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the amortised-cost table, the cumulative-cost table) of one backbone."""
    last = plan.checkpoint_counts()[-1]
    drift = {
        method: dict(zip(group["requests_done"], group[plan.drift_metric], strict=True))
        for method, group in metrics.groupby("method")
        if method == "original" or METHODS[method].family in APPROXIMATE
    }
    star = metrics[(metrics["method"] == "retrain_star") & (metrics["requests_done"] == last)]
    reference = float(star[plan.drift_metric].iloc[0]) if len(star) else np.inf
    logs = {k.split("__")[1]: v for k, v in inputs.items() if k.startswith("log__")}
    seconds = {
        int(k.split("__")[2]): float(v["seconds"])
        for k, v in inputs.items()
        if k.startswith("retrain_log__retrain__")
    }
    original = drift.pop("original")  # Original's distance: the do-nothing reference
    table = amortised_table(logs, seconds, drift, reference, original)
    table.insert(0, "backbone", backbone)
    table["drift_reference"] = reference
    table["drift_metric"] = plan.drift_metric
    return table, cumulative_cost_table(logs, seconds).assign(backbone=backbone)
