"""Reference models of the likelihood-ratio attack, trained through the stage machinery.

Each reference model is a stage of its own (:func:`recunlearn.training.stages.isolated_task`,
method ``lira``) on its half of the pool, so the references run through the same
:class:`~recunlearn.training.stages.StageRunner` as SISA's shards: in-process, a process
pool or Dask, stacked where the backbone allows. Prepared once per run and reused by every
audited model.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from recunlearn.audits.lira import (
    attack_summary,
    fit_gaussians,
    label_logits,
    ratio_scores,
    reference_statistics,
    tail_scores,
)
from recunlearn.models import Recommender
from recunlearn.models.config import TrainConfig
from recunlearn.models.scoring import ScoringModel
from recunlearn.predictions import score_rows
from recunlearn.training.stages import (
    BackboneShape,
    StageRunner,
    build_stage_model,
    isolated_task,
    load_parameters,
)

METHOD = "lira"


@dataclass(frozen=True)
class References:
    """Reference models, the pool they split, and who trained on which pool row."""

    models: list[Recommender]
    pool: pd.DataFrame
    membership: np.ndarray
    seconds: float


def train_references(
    runner: StageRunner,
    shape: BackboneShape,
    cfg: TrainConfig,
    pool: pd.DataFrame,
    membership: np.ndarray,
    seed: int,
    epochs: int,
    device: str = "cpu",
) -> References:
    """One reference model per row of ``membership`` (n_models, len(pool)), on its rows."""
    pool = pool.reset_index(drop=True)
    tasks = [
        isolated_task(METHOD, shape, pool[own], index, cfg, seed, device, epochs)
        for index, own in enumerate(membership)
    ]
    results = runner.train(tasks, [f"lira reference {i}" for i in range(len(tasks))])
    models = []
    for task, (parameters, _) in zip(tasks, results, strict=True):
        model = build_stage_model(task)
        load_parameters(model, parameters)
        models.append(model.eval())
    return References(models, pool, membership, float(sum(took for _, took in results)))


def audit_pool(
    marked: pd.DataFrame, candidates: pd.DataFrame, rng: np.random.Generator
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """(pool, members, non_members): the pool is D (``marked``) followed by the rows of
    ``candidates`` (non-members drawn like D_r, see
    :func:`recunlearn.audits.non_members.non_member_candidates`) matched to D_r on
    popularity and activity; members are the matched D_r rows' positions in it,
    non-members the appended rows' positions."""
    from recunlearn.audits.matching import match_groups

    d = marked.reset_index(drop=True)
    forget_at = np.flatnonzero(d["forget"].to_numpy())
    kept, matched = match_groups(d.iloc[forget_at], candidates, d, rng)
    extra = candidates.iloc[matched][["user", "item", "label"]]
    pool = pd.concat([d[["user", "item", "label"]], extra], ignore_index=True)
    return pool, forget_at[kept], len(d) + np.arange(len(extra))


def model_scores(
    models: Mapping[str, ScoringModel], references: References, audited: np.ndarray
) -> Iterator[tuple[str, str, np.ndarray]]:
    """(model, score, per-row values) of every model on the pool rows at positions
    ``audited``: both scores (``tail``, ``ratio``) against the Gaussians fitted to the
    references that did / did not train on each row."""
    rows = references.pool.iloc[audited]
    statistics = reference_statistics(references.models, rows)
    used = references.membership[:, audited]
    inside, out = fit_gaussians(statistics, used), fit_gaussians(statistics, ~used)
    for name, model in models.items():
        x = label_logits(score_rows(model.eval(), rows), rows["label"].to_numpy())
        yield name, "tail", tail_scores(x, out)
        yield name, "ratio", ratio_scores(x, inside, out)


def lira_audit(
    models: Mapping[str, ScoringModel],
    references: References,
    members: np.ndarray,
    non_members: np.ndarray,
    fprs: Sequence[float] = (0.01, 0.001),
) -> pd.DataFrame:
    """Both scores (``tail``, ``ratio``) of every model: pool rows ``members`` (positions,
    the audited rows) against pool rows ``non_members`` (positions, rows the audited
    models never trained on), one table row per (model, score)."""
    n = len(members)
    return pd.DataFrame(
        [
            {"model": name, "score": score} | attack_summary(values[:n], values[n:], fprs)
            for name, score, values in model_scores(models, references, np.r_[members, non_members])
        ]
    )
