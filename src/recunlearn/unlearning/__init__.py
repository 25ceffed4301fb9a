"""Unlearning methods behind one interface, listed in an explicit registry.

This package keeps the interface (``base``: context, request, outcome; ``state``: the
prepared states' common form; ``stream``: requests answered one after another),
the inputs it names (``partitions``: shards of rows or of users; ``user_groups``: the grouping step's
groups), the ground truth (``retrain``: Retrain, Retrain*) and the registry. The
methods live in one room per family: ``influence/`` (IFRU, SCIF), ``finetune/``
(Warm-Start, AltEraser) and ``exact/`` (SISA, RecEraser, LASER, C-SISA). No family
imports another (``tests/test_code_shape.py``).
"""

from __future__ import annotations

from recunlearn.unlearning.base import (
    PrepareContext,
    UnlearningMethod,
    UnlearningOutcome,
    UnlearningRequest,
)
from recunlearn.unlearning.exact.csisa import CSisa
from recunlearn.unlearning.exact.laser import Laser
from recunlearn.unlearning.exact.receraser import RecEraser
from recunlearn.unlearning.exact.sisa import Sisa
from recunlearn.unlearning.finetune.alteraser import AltEraser
from recunlearn.unlearning.finetune.warm_start import WarmStart
from recunlearn.unlearning.influence.ifru import IFRU
from recunlearn.unlearning.influence.scif import SCIF
from recunlearn.unlearning.retrain import Retrain
from recunlearn.unlearning.state import PreparedState, state_from_payload, state_payload

# Gauss-Newton variants: the positive semi-definite part of the Hessian, fixed damping.
GAUSS_NEWTON = {"hessian": "gauss_newton", "damping_rule": "fixed", "damping": 1.0}

# One entry per column of the report: a method class, or a variant of one that differs
# only in its settings (``UnlearningMethod.variant``). unlearning.<name> in
# parameters_unlearning.yml overrides the entry's settings.
METHODS: dict[str, type[UnlearningMethod]] = {
    "retrain": Retrain,
    "retrain_star": Retrain.variant("retrain_star", "Retrain*", seed_key="star"),
    "ifru": IFRU,
    "ifru_gn": IFRU.variant("ifru_gn", "IFRU (Gauss-Newton)", **GAUSS_NEWTON),
    "scif": SCIF,
    "scif_gn": SCIF.variant("scif_gn", "SCIF (Gauss-Newton)", **GAUSS_NEWTON),
    "warm_start": WarmStart,
    "alteraser_ah": AltEraser,
    "alteraser_hf": AltEraser.variant(
        "alteraser_hf", "AltEraser (HF-Newton)", backbones=None, optimizer="hf_newton"
    ),
    "alteraser_adamw": AltEraser.variant(
        "alteraser_adamw", "AltEraser (AdamW)", backbones=None, optimizer="adamw"
    ),
    "laser": Laser,
    "laser_rand": Laser.variant("laser_rand", "LASER (L-Rand)", grouping="rand"),
    "laser_bkm": Laser.variant("laser_bkm", "LASER (L-BKM)", grouping="bkm"),
    "laser_anti": Laser.variant("laser_anti", "LASER (anti-SeqTrain)", order="hard_to_easy"),
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
