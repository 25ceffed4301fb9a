"""Unlearning methods behind one interface, listed in an explicit registry."""

from __future__ import annotations

from recunlearn.unlearning.base import UnlearningMethod, UnlearningOutcome, UnlearningRequest
from recunlearn.unlearning.retrain import Retrain

METHODS: dict[str, type[UnlearningMethod]] = {
    "retrain": Retrain,
}

__all__ = ["METHODS", "UnlearningMethod", "UnlearningOutcome", "UnlearningRequest"]
