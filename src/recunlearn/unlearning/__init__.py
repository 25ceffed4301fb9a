"""Unlearning methods behind one interface, listed in an explicit registry."""

from __future__ import annotations

from recunlearn.unlearning.alteraser import AltEraser, AltEraserAdamW, AltEraserHF
from recunlearn.unlearning.base import (
    PrepareContext,
    PreparedState,
    UnlearningMethod,
    UnlearningOutcome,
    UnlearningRequest,
    state_from_payload,
    state_payload,
)
from recunlearn.unlearning.csisa import CSisa
from recunlearn.unlearning.ifru import IFRU, IFRUGaussNewton
from recunlearn.unlearning.laser import Laser, LaserAnti, LaserBkm, LaserRand
from recunlearn.unlearning.receraser import RecEraser
from recunlearn.unlearning.retrain import Retrain, RetrainStar
from recunlearn.unlearning.scif import SCIF, SCIFGaussNewton
from recunlearn.unlearning.sisa import Sisa
from recunlearn.unlearning.warm_start import WarmStart

# One entry per column of the report; each class's config defaults match its name,
# and unlearning.<name> in parameters_unlearning.yml overrides them.
METHODS: dict[str, type[UnlearningMethod]] = {
    "retrain": Retrain,
    "retrain_star": RetrainStar,
    "ifru": IFRU,
    "ifru_gn": IFRUGaussNewton,
    "scif": SCIF,
    "scif_gn": SCIFGaussNewton,
    "warm_start": WarmStart,
    "alteraser_ah": AltEraser,
    "alteraser_hf": AltEraserHF,
    "alteraser_adamw": AltEraserAdamW,
    "laser": Laser,
    "laser_rand": LaserRand,
    "laser_bkm": LaserBkm,
    "laser_anti": LaserAnti,
    "csisa": CSisa,
    "sisa": Sisa,
    "receraser": RecEraser,
}

__all__ = [
    "METHODS",
    "PrepareContext",
    "PreparedState",
    "UnlearningMethod",
    "UnlearningOutcome",
    "UnlearningRequest",
    "state_from_payload",
    "state_payload",
]
