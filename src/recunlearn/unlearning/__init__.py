"""Unlearning methods behind one interface, listed in an explicit registry.

This package keeps the interface (``base``: context, prepared state, request, outcome),
the inputs it names (``partitions``: row shards; ``user_groups``: the grouping step's
groups), the ground truth (``retrain``: Retrain, Retrain*) and the registry. The
methods live in one room per family: ``influence/`` (IFRU, SCIF), ``finetune/``
(Warm-Start, AltEraser) and ``exact/`` (SISA, RecEraser, LASER, C-SISA). No family
imports another (``tests/test_code_shape.py``).
"""

from __future__ import annotations

from recunlearn.unlearning.base import (
    PrepareContext,
    PreparedState,
    UnlearningMethod,
    UnlearningOutcome,
    UnlearningRequest,
    state_from_payload,
    state_payload,
)
from recunlearn.unlearning.exact.csisa import CSisa
from recunlearn.unlearning.exact.laser import Laser, LaserAnti, LaserBkm, LaserRand
from recunlearn.unlearning.exact.receraser import RecEraser
from recunlearn.unlearning.exact.sisa import Sisa
from recunlearn.unlearning.finetune.alteraser import AltEraser, AltEraserAdamW, AltEraserHF
from recunlearn.unlearning.finetune.warm_start import WarmStart
from recunlearn.unlearning.influence.ifru import IFRU, IFRUGaussNewton
from recunlearn.unlearning.influence.scif import SCIF, SCIFGaussNewton
from recunlearn.unlearning.retrain import Retrain, RetrainStar

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
