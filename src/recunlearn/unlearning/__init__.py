"""Unlearning methods behind one interface, listed in an explicit registry."""

from __future__ import annotations

from recunlearn.unlearning.base import UnlearningMethod, UnlearningOutcome, UnlearningRequest
from recunlearn.unlearning.ifru import IFRU
from recunlearn.unlearning.retrain import Retrain
from recunlearn.unlearning.scif import SCIF

METHODS: dict[str, type[UnlearningMethod]] = {
    "retrain": Retrain,
    "ifru": IFRU,
    "scif": SCIF,
}

__all__ = ["METHODS", "UnlearningMethod", "UnlearningOutcome", "UnlearningRequest"]
