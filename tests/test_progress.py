"""Progress bars: drawn on a terminal, silent on CI and in captured output."""

from __future__ import annotations

import io

import pytest

from recunlearn import progress
from recunlearn.execution import InProcessExecutor
from recunlearn.progress import progress_enabled


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
