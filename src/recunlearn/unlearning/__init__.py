"""Unlearning methods behind one interface, listed in an explicit registry."""

from __future__ import annotations

from recunlearn.unlearning.alteraser import AltEraser, AltEraserAdamW, AltEraserHF
from recunlearn.unlearning.base import UnlearningMethod, UnlearningOutcome, UnlearningRequest
from recunlearn.unlearning.ifru import IFRU
from recunlearn.unlearning.retrain import Retrain, RetrainStar
from recunlearn.unlearning.scif import SCIF
from recunlearn.unlearning.warm_start import WarmStart

# One entry per column of the report; each class's config defaults match its name,
# and unlearning.<name> in parameters_unlearning.yml overrides them.
METHODS: dict[str, type[UnlearningMethod]] = {
    "retrain": Retrain,
    "retrain_star": RetrainStar,
    "ifru": IFRU,
    "scif": SCIF,
    "warm_start": WarmStart,
    "alteraser_ah": AltEraser,
    "alteraser_hf": AltEraserHF,
    "alteraser_adamw": AltEraserAdamW,
}

__all__ = ["METHODS", "UnlearningMethod", "UnlearningOutcome", "UnlearningRequest"]
