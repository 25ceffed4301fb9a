"""The prepared state of IFRU and SCIF: the damping of their Hessian solve."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from recunlearn.influence.spectrum import SpectrumEstimate
from recunlearn.unlearning.state import PreparedState

DampingRule = Literal["fixed", "lanczos"]


@dataclass(frozen=True, kw_only=True)
class DampingState(PreparedState):
    """The damping added to the Hessian, and how it was chosen.

    Attributes:
        rule: ``fixed`` (the configured value) or ``lanczos`` (from the estimate).
        damping: the value.
        estimate: the Lanczos estimate of the Hessian's spectrum on D at the model it
            was prepared for (``None`` under the fixed rule).
    """

    kind = "damping"

    rule: DampingRule
    damping: float
    estimate: SpectrumEstimate | None = None

    def log(self) -> dict[str, Any]:
        """``spectrum_<field>`` of the estimate, the damping and its rule."""
        spectrum = asdict(self.estimate) if self.estimate is not None else {}
        return {f"spectrum_{k}": v for k, v in spectrum.items()} | {
            "damping": self.damping,
            "damping_rule": self.rule,
        }

    def config(self) -> dict[str, Any]:
        estimate = None if self.estimate is None else asdict(self.estimate)
        return {"rule": self.rule, "damping": self.damping, "estimate": estimate}

    def tensors(self) -> dict[str, Any]:
        return {}

    @classmethod
    def restore(
        cls, config: dict[str, Any], tensors: dict[str, Any], seconds: float
    ) -> DampingState:
        estimate = config["estimate"]
        return cls(
            seconds=seconds,
            rule=config["rule"],
            damping=config["damping"],
            estimate=None if estimate is None else SpectrumEstimate(**estimate),
        )
