"""Progress bars for the long steps (epochs, shards and groups, solver iterations).

A bar is drawn on stderr only where somebody watches: a terminal, outside CI (the ``CI``
environment variable unset) and unless ``RECUNLEARN_PROGRESS=0``. Elsewhere the bars are
disabled and cost nothing, so logs and CI output stay clean.

Training's bar (:class:`EpochBar`) shows the real bound: with early stopping, the epochs
so far, the best one and the patience left (and the epoch training stops by if
validation does not improve), never ``max_epochs`` and an ETA computed from it.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from tqdm.auto import tqdm


def progress_enabled() -> bool:
    """Whether bars are drawn: a terminal on stderr, not CI, not switched off."""
    if os.environ.get("CI") or os.environ.get("RECUNLEARN_PROGRESS", "1") == "0":
        return False
    return sys.stderr.isatty()


def progress_bar(total: int | None, description: str, unit: str = "it") -> tqdm:
    """A bar of ``total`` steps named ``description`` (disabled where nobody watches);
    ``total=None``: a count and a rate, without a bar or an ETA."""
    return tqdm(
        total=total,
        desc=description,
        unit=unit,
        disable=not progress_enabled(),
        leave=False,
        dynamic_ncols=True,
        file=sys.stderr,
    )


@dataclass(frozen=True)
class EarlyStopping:
    """How training stops early: after ``patience`` evaluations without a gain, one
    evaluation every ``eval_every`` epochs."""

    patience: int
    eval_every: int = 1

    def stops_by(self, epoch: int, stale: int, max_epochs: int) -> int:
        """The epoch training stops at if no later evaluation improves (after ``epoch``,
        with ``stale`` evaluations since the best)."""
        next_evaluation = (epoch // self.eval_every + 1) * self.eval_every
        return min(max_epochs, next_evaluation + (self.patience - stale - 1) * self.eval_every)


class EpochBar:
    """Training's progress: epochs against ``max_epochs`` when they all run; with early
    stopping, epochs so far, the best epoch and the patience left, without a total."""

    def __init__(self, description: str, max_epochs: int, early: EarlyStopping | None) -> None:
        self.max_epochs, self.early = max_epochs, early
        self.bar = progress_bar(max_epochs if early is None else None, description, " epochs")

    def advance(self, epoch: int, best_epoch: int, stale: int) -> None:
        """Epoch ``epoch`` done; the best so far is ``best_epoch``, ``stale`` evaluations ago."""
        if self.early is not None:
            left = self.early.patience - stale
            stop = self.early.stops_by(epoch, stale, self.max_epochs)
            self.bar.set_postfix_str(
                f"best {best_epoch}, patience {left}/{self.early.patience} left, "
                f"stops by epoch {stop} without a gain",
                refresh=False,
            )
        self.bar.update(1)

    def __enter__(self) -> EpochBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.close()
