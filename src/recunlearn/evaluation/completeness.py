"""The completeness coefficient of unlearning (IFRU paper, Section 4.2.1)."""

from __future__ import annotations

import math

GAP_TOLERANCE = 1e-6
"""Below this |m_Retrain - m_Original| the completeness coefficient is undefined."""


def completeness(
    value: float, original: float, retrain: float, tolerance: float = GAP_TOLERANCE
) -> float:
    """(m - m_Original) / (m_Retrain - m_Original); NaN when the gap is below ``tolerance``.

    1 means the method recovered all of Retrain's change, 0 none of it. With a
    vanishing gap the ratio is meaningless, so it is NaN rather than an error.
    """
    gap = retrain - original
    if any(math.isnan(x) for x in (value, original, retrain)) or abs(gap) < tolerance:
        return float("nan")
    return (value - original) / gap
