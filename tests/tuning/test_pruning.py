"""Pruning: the median rule as Optuna's, a trial too slow to reach the leader's value stops,
the complete trials read once per trial."""

from __future__ import annotations

import numpy as np
import optuna
import pytest
from optuna.distributions import FloatDistribution
from optuna.trial import TrialState, create_trial

from recunlearn.tuning.pruning import ReachPruner, below_median, reach_epoch, too_slow
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
    complete = study_with(slow_curve(3), LEADER_CURVE).trials  # the leader is the second
    assert not too_slow(complete, running(slow_curve(11)), 3.0)
    assert too_slow(complete, running(slow_curve(12)), 3.0)
    assert too_slow(complete, running(slow_curve(8)), 2.0)


def test_a_trial_that_reached_the_leader_in_time_runs_on():
    """Reaching v* once is enough, even if the curve dips below it afterwards."""
    curve = {**slow_curve(20), 5: 0.80}  # past 3 x 4 epochs, below 0.80 again
    assert not too_slow(study_with(LEADER_CURVE).trials, running(curve), 3.0)


def test_without_a_complete_trial_nothing_is_too_slow():
    assert not too_slow([], running(slow_curve(50)), 3.0)
    assert not too_slow(study_with(LEADER_CURVE).trials, running({}), 3.0)


def test_the_median_rule_by_hand():
    """Complete values at epoch 3: 0.70, 0.72, 0.80 (median 0.72)."""
    complete = study_with(*({1: 0.6, 2: 0.65, 3: v} for v in (0.70, 0.72, 0.80))).trials
    assert below_median(complete, running({1: 0.71, 2: 0.70, 3: 0.69}), 2, 3)
    assert not below_median(complete, running({1: 0.73, 2: 0.70, 3: 0.69}), 2, 3)  # its best
    assert not below_median(complete, running({1: 0.5, 2: 0.5}), 3, 3)  # in warm-up
    assert not below_median(complete[:2], running({1: 0.5, 2: 0.5, 3: 0.5}), 2, 3)  # startup
    assert not below_median(complete, running({1: 0.5, 2: 0.5, 3: 0.5, 4: 0.5}), 2, 3)
    with pytest.warns(RuntimeWarning, match="All-NaN"):  # numpy's, as in Optuna's rule
        assert below_median(complete, running({1: float("nan")}), 0, 3)


def random_curves(rng: np.random.Generator, n: int) -> list[dict[int, float]]:
    lengths = rng.integers(1, 12, size=n)
    return [{e: float(v) for e, v in enumerate(rng.random(k), start=1)} for k in lengths]


@pytest.mark.parametrize("seed", range(5))
def test_the_median_rule_decides_as_optunas_median_pruner(seed):
    rng = np.random.default_rng(seed)
    optunas = optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=2)
    decisions = set()
    for size in range(6):
        study = study_with(*random_curves(rng, size))
        for curve in random_curves(rng, 20):
            trial = running(curve)
            expected = bool(optunas.prune(study, trial))
            assert below_median(study.trials, trial, 2, 3) is expected, (size, curve)
            decisions.add(expected)
    assert decisions == {True, False}


class CountingStudy:
    """A study that counts its reads of the complete trials."""

    def __init__(self, study: optuna.Study) -> None:
        self.study, self.study_name, self.reads = study, study.study_name, 0

    def get_trials(self, deepcopy: bool, states: tuple[TrialState, ...]):
        self.reads += 1
        return self.study.get_trials(deepcopy=deepcopy, states=states)


def test_the_complete_trials_are_read_once_per_trial():
    study = CountingStudy(study_with(LEADER_CURVE))
    pruner = ReachPruner(warmup=100, reach_factor=3.0)
    for number in (1, 2):
        for epoch in range(1, 13):
            curve = slow_curve(epoch)
            trial = create_trial(state=TrialState.RUNNING, intermediate_values=curve)
            trial.number = number
            assert pruner.prune(study, trial) is (epoch >= 12)
    assert study.reads == 2


@pytest.mark.parametrize(("factor", "pruned"), [(None, False), (3.0, True)])
def test_the_study_prunes_by_reach_only_with_a_factor(factor, pruned):
    study = open_study(open_storage("sqlite:///:memory:", 2), "s", 0, 100, factor)
    assert isinstance(study.pruner, ReachPruner)
    study.add_trial(study_with(LEADER_CURVE).trials[0])
    trial = study.ask()
    for epoch, value in slow_curve(12).items():
        trial.report(value, epoch)
    assert trial.should_prune() is pruned  # the median rule waits 100 evaluations
