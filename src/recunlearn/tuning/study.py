"""Resumable, shareable Optuna studies that finish exactly ``n_trials`` trials.

The study lives in an Optuna storage (SQLite file by default, any RDB URL such as
PostgreSQL), so a re-run continues it and several processes can work on it at once.
Its name is keyed by everything that changes the objective, so a changed
configuration starts a new study instead of mixing results.

Budget: ``n_trials`` counts *finished* trials (complete or pruned). A worker starts a
trial only while fewer than ``n_trials`` trials are live (finished, or running in any
worker), so workers sharing a study stop once the budget is taken. Two workers can
still both start a trial in the same instant: the one whose trial has ``n_trials`` live
trials before it closes it, never run, as PRUNED with ``user_attrs["surplus"] = True``
(no traceback, no FAIL trial), and stops; surplus trials do not count. Trials of a
killed worker are detected by heartbeat and failed, then re-run; their failures do not
count.
"""

from __future__ import annotations

import hashlib
import json
import time
import warnings
from collections.abc import Callable
from typing import Any

import optuna
from optuna.exceptions import ExperimentalWarning
from optuna.trial import FrozenTrial, TrialState

from recunlearn.errors import ParameterError
from recunlearn.tuning.pruning import ReachPruner

FINISHED = (TrialState.COMPLETE, TrialState.PRUNED)
LIVE = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING)


def study_name(prefix: str, config: dict[str, Any]) -> str:
    """``prefix`` plus a short hash of the JSON of ``config``."""
    digest = hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()
    return f"{prefix}-{digest[:12]}"


def open_storage(url: str, heartbeat_seconds: int) -> optuna.storages.BaseStorage:
    """An RDB storage with heartbeats; a clear error naming the parameter for a bad URL.
    A SQLite file's folder must exist (the tuning node creates it: the core opens no
    folders of its own)."""
    try:
        return _storage_after_schema_race(url, heartbeat_seconds)
    except Exception as error:  # noqa: BLE001 - SQLAlchemy raises many kinds
        raise ParameterError(
            f"parameter 'tuning.storage': cannot open Optuna storage {url!r}: {error}"
        ) from error


SCHEMA_RACE_DELAYS = (0.2, 0.5, 1.0, 2.0)
"""Seconds between tries to open a storage whose schema another worker is creating."""


def _storage_after_schema_race(url: str, heartbeat_seconds: int) -> optuna.storages.RDBStorage:
    """Workers that open a new database at the same moment race to create Optuna's
    tables; on PostgreSQL the loser's ``CREATE TYPE`` breaks a unique index
    (``IntegrityError``), so it opens the storage again once the winner has committed."""
    from sqlalchemy.exc import IntegrityError

    for delay in SCHEMA_RACE_DELAYS:
        try:
            return _rdb_storage(url, heartbeat_seconds)
        except IntegrityError:
            time.sleep(delay)
    return _rdb_storage(url, heartbeat_seconds)


def _rdb_storage(url: str, heartbeat_seconds: int) -> optuna.storages.RDBStorage:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExperimentalWarning)  # heartbeat options
        return optuna.storages.RDBStorage(
            url,
            heartbeat_interval=heartbeat_seconds,
            grace_period=2 * heartbeat_seconds,
            engine_kwargs={"connect_args": {"timeout": 60}} if url.startswith("sqlite") else None,
        )


def open_study(
    storage: optuna.storages.BaseStorage,
    name: str,
    seed: int,
    pruner_warmup: int,
    reach_factor: float | None = None,
) -> optuna.Study:
    """The study ``name``: TPE from ``seed``, the median rule after ``pruner_warmup``
    evaluations and (``reach_factor``) the epochs-to-reach rule of :mod:`.pruning`."""
    return optuna.create_study(
        storage=storage,
        study_name=name,
        direction="maximize",
        sampler=optuna.samplers.TPESampler(seed=seed, n_startup_trials=5),
        pruner=ReachPruner(pruner_warmup, reach_factor),
        load_if_exists=True,
    )


def _counted(study: optuna.Study, states: tuple[TrialState, ...]) -> list[FrozenTrial]:
    """The trials in ``states`` that count towards the budget (surplus ones do not)."""
    trials = study.get_trials(deepcopy=False, states=states)
    return [t for t in trials if not t.user_attrs.get("surplus")]


def finished_count(study: optuna.Study) -> int:
    """Complete and pruned trials, surplus ones left out."""
    return len(_counted(study, FINISHED))


def live_count(study: optuna.Study) -> int:
    """Finished trials and the trials running now (in any worker)."""
    return len(_counted(study, LIVE))


def _is_surplus(study: optuna.Study, number: int, n_trials: int) -> bool:
    earlier = [t for t in _counted(study, LIVE) if t.number < number]
    return len(earlier) >= n_trials


def run_missing_trials(
    study: optuna.Study,
    objective: Callable[[optuna.Trial], float],
    n_trials: int,
    timeout: float | None = None,
) -> int:
    """Run trials while the study has fewer than ``n_trials`` live ones; return how many
    ran here.

    Trials run one at a time through ``Study.optimize`` so the storage's heartbeat
    marks them alive; an objective that raises is recorded as FAIL and the error
    propagates. Trials other workers are running count: this worker stops when they
    take the rest of the budget.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExperimentalWarning)
        optuna.storages.fail_stale_trials(study)
    start, ran, surplus = time.monotonic(), 0, False

    def guarded(trial: optuna.Trial) -> float:
        nonlocal surplus
        if _is_surplus(study, trial.number, n_trials):
            surplus = True
            trial.set_user_attr("surplus", True)
            raise optuna.TrialPruned("surplus: started in a race with another worker")
        return objective(trial)

    while live_count(study) < n_trials and not surplus:
        if timeout is not None and time.monotonic() - start > timeout:
            break
        study.optimize(guarded, n_trials=1)
        ran += not surplus
    return ran
