"""Tuning: determinism, resumption without loss or duplicates, shared storage, errors."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import optuna
import pytest
from optuna.trial import TrialState

from recunlearn.errors import ParameterError
from recunlearn.models.config import MFConfig
from recunlearn.tuning import study as study_module
from recunlearn.tuning.objective import make_objective
from recunlearn.tuning.search_space import validate_space
from recunlearn.tuning.study import finished_count, open_storage, open_study, run_missing_trials

from ..conftest import checkerboard

SPACE = {
    "lr": {"type": "categorical", "choices": [0.05, 0.01, 0.001]},
    "embedding_dim": {"type": "categorical", "choices": [2, 4, 8]},
    "l2": {"type": "float", "low": 1e-6, "high": 1e-2, "log": True},
}
BASE = MFConfig(embedding_dim=4, init_std=0.1, batch_size=64, max_epochs=6, patience=3)


def objective(seed: int = 0):
    data = checkerboard(density=0.7)
    return make_objective(
        "mf", data.iloc[::2], data.iloc[1::2], 24, 18, BASE, validate_space(SPACE, "mf"), seed
    )


def study_at(url: str, name: str = "s", seed: int = 0, pruner_warmup: int = 1) -> optuna.Study:
    return open_study(open_storage(url, heartbeat_seconds=2), name, seed, pruner_warmup)


def test_same_seed_same_best_parameters(tmp_path):
    results = []
    for run in range(2):
        study = study_at(f"sqlite:///{tmp_path}/run{run}.db")
        run_missing_trials(study, objective(), 6)
        results.append((study.best_params, study.best_value))
    assert results[0] == results[1]


def test_rerun_runs_only_the_missing_trials(tmp_path):
    url = f"sqlite:///{tmp_path}/study.db"
    assert run_missing_trials(study_at(url), objective(), 3) == 3
    assert run_missing_trials(study_at(url), objective(), 3) == 0
    assert run_missing_trials(study_at(url), objective(), 5) == 2
    assert finished_count(study_at(url)) == 5


WORKER = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, {root!r})
    from tests.tuning.test_study import objective, study_at
    from recunlearn.tuning.study import run_missing_trials
    study = study_at({url!r})
    slow = objective()
    def stalling(trial):
        value = slow(trial)
        if trial.number == 2:
            time.sleep(60)  # killed here, mid-trial
        return value
    run_missing_trials(study, stalling, {n})
    """
)


def test_interrupted_study_resumes_without_losing_or_duplicating_trials(tmp_path):
    url = f"sqlite:///{tmp_path}/study.db"
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    worker = subprocess.Popen([sys.executable, "-c", WORKER.format(root=root, url=url, n=5)])
    study = study_at(url)
    deadline = time.time() + 120
    while time.time() < deadline and worker.poll() is None:
        running = study.get_trials(states=(TrialState.RUNNING,))
        if any(t.number == 2 for t in running) and finished_count(study) == 2:
            break
        time.sleep(0.2)
    assert worker.poll() is None, "the worker ended before it could be interrupted"
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    assert finished_count(study) == 2
    time.sleep(5)  # heartbeat grace period passes: the killed trial is stale
    run_missing_trials(study_at(url), objective(), 5)
    finished = study_at(url).get_trials(states=(TrialState.COMPLETE, TrialState.PRUNED))
    assert len(finished) == 5
    assert len({t.number for t in finished}) == 5
    assert [t.state for t in study_at(url).trials].count(TrialState.FAIL) == 1  # the killed one


TUNING_WORKER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {root!r})
    from tests.tuning.test_study import objective, study_at
    from recunlearn.tuning.study import run_missing_trials
    print("ran", run_missing_trials(study_at({url!r}, pruner_warmup=100), objective(), {n}))
    """
)


def test_two_workers_on_one_study_finish_exactly_n_complete_trials_quietly(tmp_path):
    """The README's shared-study command, twice at once: n COMPLETE trials between them
    (the pruner is off, warm-up beyond the epochs), no FAIL trial, no traceback."""
    url = f"sqlite:///{tmp_path}/shared.db"
    study_at(url)  # create the tables once, before the race
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    code = TUNING_WORKER.format(root=root, url=url, n=6)
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [worker.communicate(timeout=300)[0] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    assert not [
        line
        for out in outputs
        for line in out.splitlines()
        if "Traceback" in line or "Surplus" in line
    ]
    ran = [int(out.splitlines()[-1].split()[-1]) for out in outputs]
    states = [t.state for t in study_at(url).trials if not t.user_attrs.get("surplus")]
    assert states == [TrialState.COMPLETE] * 6 and sum(ran) == 6


def test_a_trial_started_in_a_race_is_closed_as_surplus_without_a_traceback(
    tmp_path, monkeypatch, caplog
):
    """Both workers see 0 of 1 trials taken, then both start one: the later is surplus."""
    url = f"sqlite:///{tmp_path}/race.db"
    study_at(url)
    both_checked, checked = threading.Barrier(2), threading.local()

    def live_count_then_wait(study):
        count = study_module.live_count.__wrapped__(study)
        if not getattr(checked, "once", False):
            checked.once = True
            both_checked.wait(timeout=30)  # neither starts before both have counted
        return count

    live_count_then_wait.__wrapped__ = study_module.live_count
    monkeypatch.setattr(study_module, "live_count", live_count_then_wait)
    ran = []
    run = lambda: ran.append(run_missing_trials(study_at(url), objective(), 1))  # noqa: E731
    threads = [threading.Thread(target=run) for _ in range(2)]
    with caplog.at_level(logging.INFO):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert sorted(ran) == [0, 1]
    complete, surplus = sorted(
        study_at(url).trials, key=lambda t: t.user_attrs.get("surplus", False)
    )
    assert complete.state == TrialState.COMPLETE and "surplus" not in complete.user_attrs
    assert surplus.state == TrialState.PRUNED and surplus.user_attrs == {"surplus": True}
    assert surplus.params == {}  # never run
    assert finished_count(study_at(url)) == 1
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.WARNING]


def test_bad_storage_url_names_the_parameter():
    with pytest.raises(ParameterError, match="tuning.storage"):
        open_storage("nosuchdb://x/y", heartbeat_seconds=2)


def test_empty_or_unknown_search_space_is_refused():
    with pytest.raises(ParameterError, match="empty search space"):
        validate_space({}, "mf")
    with pytest.raises(ParameterError, match="learning_rate"):
        validate_space({"learning_rate": {"type": "float", "low": 0.1, "high": 1}}, "mf")
    with pytest.raises(ParameterError, match=r"tuning.spaces.mf' names \['n_layers'\]"):
        validate_space({"n_layers": {"type": "int", "low": 1, "high": 3}}, "mf")
    assert set(validate_space({"n_layers": {"type": "int", "low": 1, "high": 3}}, "lightgcn"))
    with pytest.raises(ValueError, match="choices"):
        validate_space({"lr": {"type": "categorical", "choices": []}}, "mf")
