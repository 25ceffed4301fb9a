"""When a tuning trial stops early: Optuna's median rule, plus an epochs-to-reach rule.

The median rule compares a trial with the others at the same epoch, so it needs
several finished trials and cannot stop a slow learner whose curve outlives theirs
(on ML-100K, LightGCN at lr = 1e-4 climbs by ~1e-4 an epoch for 111-138 epochs, never
stale long enough for early stopping, and ends below the leader).

The epochs-to-reach rule: let the leader be the best complete trial, with value v*
first reached at epoch e*. A trial that has trained ``reach_factor`` x e* epochs and
has not yet reached v* anywhere on its curve is pruned. A trial that does reach v* in
time is never stopped by this rule, so the study's best trial runs to its own end.
"""

from __future__ import annotations

import optuna
from optuna.trial import FrozenTrial, TrialState


def reach_epoch(trial: FrozenTrial) -> int | None:
    """The first epoch at which ``trial``'s validation curve reached its value."""
    reached = [step for step, value in trial.intermediate_values.items() if value >= trial.value]
    return min(reached) if reached else None


def too_slow(study: optuna.Study, trial: FrozenTrial, reach_factor: float) -> bool:
    """Whether ``trial`` has had ``reach_factor`` times the leader's epochs to reach its
    value, and has not."""
    if not trial.intermediate_values:
        return False
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if not complete:
        return False
    leader = max(complete, key=lambda t: t.value)
    reached = reach_epoch(leader)
    if reached is None:
        return False
    return (
        trial.last_step >= reach_factor * reached
        and max(trial.intermediate_values.values()) < leader.value
    )


class ReachPruner(optuna.pruners.BasePruner):
    """Prunes what ``median`` prunes, and (``reach_factor`` not None) a trial too slow to
    reach the leader's value."""

    def __init__(self, median: optuna.pruners.BasePruner, reach_factor: float | None) -> None:
        self.median, self.reach_factor = median, reach_factor

    def prune(self, study: optuna.Study, trial: FrozenTrial) -> bool:
        if self.median.prune(study, trial):
            return True
        return self.reach_factor is not None and too_slow(study, trial, self.reach_factor)
