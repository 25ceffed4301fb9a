"""Epochs-to-reach pruning: a trial too slow to reach the leader's value stops."""

from __future__ import annotations

import optuna
import pytest
from optuna.distributions import FloatDistribution
from optuna.trial import TrialState, create_trial

from recunlearn.tuning.pruning import ReachPruner, reach_epoch, too_slow
from recunlearn.tuning.study import open_storage, open_study

LEADER_CURVE = {1: 0.70, 2: 0.75, 3: 0.78, 4: 0.80, 5: 0.79, 6: 0.80}
"""The leader reaches its value 0.80 first at epoch 4 (and again at 6)."""


def study_with(*curves: dict[int, float]) -> optuna.Study:
    """An in-memory study whose complete trials have these validation curves."""
    study = optuna.create_study(direction="maximize")
    for curve in curves:
        study.add_trial(
            create_trial(
                params={"lr": 0.01},
                distributions={"lr": FloatDistribution(1e-4, 0.1)},
                value=max(curve.values()),
                intermediate_values=curve,
            )
        )
    return study


def running(curve: dict[int, float]) -> optuna.trial.FrozenTrial:
    return create_trial(state=TrialState.RUNNING, intermediate_values=curve)


def slow_curve(epochs: int, top: float = 0.79) -> dict[int, float]:
    return {epoch: top - 0.01 / epoch for epoch in range(1, epochs + 1)}


def test_the_reach_epoch_is_the_first_epoch_at_the_value():
    (leader,) = study_with(LEADER_CURVE).trials
    assert reach_epoch(leader) == 4


def test_a_trial_below_the_leader_stops_at_factor_times_its_reach_epoch():
    study = study_with(slow_curve(3), LEADER_CURVE)  # the leader is the second trial
    assert not too_slow(study, running(slow_curve(11)), 3.0)
    assert too_slow(study, running(slow_curve(12)), 3.0)
    assert too_slow(study, running(slow_curve(8)), 2.0)


def test_a_trial_that_reached_the_leader_in_time_runs_on():
    """Reaching v* once is enough, even if the curve dips below it afterwards."""
    curve = {**slow_curve(20), 5: 0.80}  # past 3 x 4 epochs, below 0.80 again
    assert not too_slow(study_with(LEADER_CURVE), running(curve), 3.0)


def test_without_a_complete_trial_nothing_is_too_slow():
    assert not too_slow(study_with(), running(slow_curve(50)), 3.0)
    assert not too_slow(study_with(LEADER_CURVE), running({}), 3.0)


@pytest.mark.parametrize(("factor", "pruned"), [(None, False), (3.0, True)])
def test_the_study_prunes_by_reach_only_with_a_factor(factor, pruned):
    study = open_study(open_storage("sqlite:///:memory:", 2), "s", 0, 100, factor)
    assert isinstance(study.pruner, ReachPruner)
    study.add_trial(study_with(LEADER_CURVE).trials[0])
    trial = study.ask()
    for epoch, value in slow_curve(12).items():
        trial.report(value, epoch)
    assert trial.should_prune() is pruned  # the median rule waits 100 evaluations
