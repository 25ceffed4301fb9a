"""What an inverse-HVP solver is built from, importable without torch.

The influence methods' settings (``unlearning.ifru.solver`` ...) are checked by the
parameter check before any node runs, so the solvers' names, their settings and which
of them can select iterates live here; the solvers themselves are
:data:`recunlearn.influence.solvers.SOLVERS` (a test checks they agree).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SolverName = Literal["cg", "adam", "direct"]
"""The solvers' names: the ``solver`` setting of the influence methods."""

ITERATE_SELECTING_SOLVERS: frozenset[SolverName] = frozenset({"adam"})
"""The solvers whose class ``selects_iterates`` (can return the iterate a monitor
scores best): the only ones ``select_on_validation`` may be used with."""


@dataclass(frozen=True)
class SolverSettings:
    """What a solver is built from (the influence methods derive it from their config)."""

    name: SolverName = "cg"
    damping: float = 0.0
    tol: float = 1e-6
    max_iter: int = 100
    adam_lr: float = 1e-2
    """Step size of ``adam``."""
    monitor_every: int = 10
    """Steps between two scores of the monitor (``adam`` with a monitor only)."""
