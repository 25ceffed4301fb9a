"""The markdown report people read: provenance header, then one section per backbone
(verdict, headline table and legend, every metric), then the cross-backbone tables.

The cross-backbone tables come from :func:`recunlearn.report.tables.markdown_report`
(called with ``per_backbone=False``) under a "Full metric tables" heading.
"""

from __future__ import annotations

import pandas as pd

from recunlearn.report.headline import Headline, headline_section
from recunlearn.report.provenance import ReportProvenance, provenance_markdown
from recunlearn.report.tables import backbone_metrics_markdown

TITLE = "# Unlearning report"


def coefficient_markdown(coefficients: pd.DataFrame) -> list[str]:
    """Every coefficient with its gap, the seed noise it is compared with and the verdict."""
    if coefficients.empty:
        return []
    table = coefficients.assign(
        exceeds_noise=coefficients["exceeds_noise"].map({1.0: "yes", 0.0: "no"}).fillna("?")
    )
    return [
        "## Completeness coefficients against seed noise",
        "",
        "AUC coefficients (m - Original) / (Retrain - Original); prediction coefficients "
        "1 - ||p_m - p_Retrain|| / ||p_Original - p_Retrain|| (`pred_auc_1`: the AUC_1 test "
        "rows, `pred_forget`: D_r). `exceeds_noise`: whether |gap| > noise.",
        "",
        table.to_markdown(index=False, floatfmt=".4g"),
        "",
    ]


def markdown_page(
    provenance: ReportProvenance,
    headlines: list[Headline],
    coefficients: pd.DataFrame,
    full_report: str,
    tidy: pd.DataFrame,
) -> str:
    """The whole markdown page; ``full_report`` is ``markdown_report(...,
    per_backbone=False)``'s output, ``tidy`` the metric table the sections show."""
    body = full_report.removeprefix(TITLE).lstrip("\n")
    lines = [TITLE, "", *provenance_markdown(provenance), ""]
    for headline in headlines:
        lines += headline_section(headline)
        lines += ["### Every metric", "", backbone_metrics_markdown(tidy, headline.backbone), ""]
    lines += coefficient_markdown(coefficients)
    lines += ["# Full metric tables", "", body]
    return "\n".join(lines)
