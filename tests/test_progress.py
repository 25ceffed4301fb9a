"""Progress bars: drawn on a terminal, silent on CI and in captured output; training's bar
shows the real bound (the patience left under early stopping, not ``max_epochs``)."""

from __future__ import annotations

import functools
import io
import re

import pytest
import torch

from recunlearn import progress
from recunlearn.execution import InProcessExecutor
from recunlearn.models import build_backbone
from recunlearn.models.config import TrainConfig
from recunlearn.progress import EarlyStopping, EpochBar, progress_enabled
from recunlearn.training.trainer import train_model

from .conftest import checkerboard


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def use_terminal(monkeypatch) -> Terminal:
    """stderr as a terminal. Called in the test body: pytest re-installs its own capture
    of sys.stderr between a fixture's set-up and the test call."""
    stream = Terminal()
    monkeypatch.setattr(progress.sys, "stderr", stream)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("RECUNLEARN_PROGRESS", raising=False)
    return stream


def test_bars_are_drawn_on_a_terminal(monkeypatch):
    terminal = use_terminal(monkeypatch)
    assert progress_enabled()
    InProcessExecutor().map(abs, [-1, -2, -3], ["a", "b", "c"])
    assert "shards" in terminal.getvalue() and "/3" in terminal.getvalue()


@pytest.mark.parametrize(("name", "value"), [("CI", "true"), ("RECUNLEARN_PROGRESS", "0")])
def test_bars_are_silent_on_ci_or_when_switched_off(monkeypatch, name, value):
    terminal = use_terminal(monkeypatch)
    monkeypatch.setenv(name, value)
    assert not progress_enabled()
    InProcessExecutor().map(abs, [-1, -2], ["a", "b"])
    assert terminal.getvalue() == ""


def test_bars_are_silent_without_a_terminal(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(progress.sys, "stderr", io.StringIO())
    assert not progress_enabled()


def every_update_drawn(monkeypatch) -> Terminal:
    """A terminal on which the bars draw every update (tqdm limits redraws to 10/s)."""
    monkeypatch.setattr(progress, "tqdm", functools.partial(progress.tqdm, mininterval=0))
    return use_terminal(monkeypatch)


@pytest.mark.parametrize(
    ("epoch", "stale", "patience", "eval_every", "expected"),
    [
        (5, 0, 3, 1, 8),  # three more evaluations without a gain: epochs 6, 7, 8
        (5, 2, 3, 1, 6),
        (5, 1, 3, 2, 8),  # evaluations at epochs 6 and 8
        (4, 0, 2, 2, 8),  # evaluations at epochs 6 and 8
        (998, 0, 20, 1, 1000),  # never past max_epochs
    ],
)
def test_early_stopping_names_the_epoch_training_stops_by(
    epoch, stale, patience, eval_every, expected
):
    assert EarlyStopping(patience, eval_every).stops_by(epoch, stale, 1000) == expected


def test_with_early_stopping_the_bar_shows_patience_left_not_max_epochs(monkeypatch):
    every_update_drawn(monkeypatch)
    with EpochBar("mf training", 1000, EarlyStopping(patience=5)) as bar:
        for epoch, best, stale in [(1, 1, 0), (2, 2, 0), (3, 2, 1), (4, 2, 2)]:
            bar.advance(epoch, best, stale)
        text = str(bar.bar)
    assert text.startswith("mf training: 4 epochs [")
    assert text.endswith("best 2, patience 3/5 left, stops by epoch 7 without a gain]")
    assert "1000" not in text and "<" not in text  # no bound, no ETA from max_epochs


def test_without_validation_every_epoch_runs_and_the_bar_counts_them(monkeypatch):
    every_update_drawn(monkeypatch)
    with EpochBar("mf training", 5, None) as bar:
        bar.advance(1, 0, 0)
        bar.advance(2, 0, 0)
        text = str(bar.bar)
    assert text.startswith("mf training:  40%|") and "| 2/5 [" in text


def test_training_stops_at_the_epoch_its_bar_announced(monkeypatch):
    terminal = every_update_drawn(monkeypatch)
    data = checkerboard(density=0.8)
    cfg = TrainConfig(embedding_dim=4, lr=0.05, batch_size=64, max_epochs=1000, patience=3)
    model = build_backbone("mf", 24, 18, cfg, data, torch.Generator().manual_seed(0))
    log = train_model(model, data.iloc[::2], data.iloc[1::2], cfg, torch.Generator())
    drawn = terminal.getvalue()
    assert log.epochs < 1000 and "/1000" not in drawn
    announced = re.findall(r"patience (\d)/3 left, stops by epoch (\d+) without a gain", drawn)
    assert announced[-1] == ("0", str(log.epochs))
