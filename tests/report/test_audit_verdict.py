"""The audit verdict and the HTML section: which methods leave D_r detectable."""

from __future__ import annotations

import pandas as pd

from recunlearn.audits.power import NO_POWER
from recunlearn.report.audit_section import audit_html, tpr_figure
from recunlearn.report.audit_verdict import verdict_line

N = 1000


def lira(tprs: dict[str, float], auc: float = 0.5) -> pd.DataFrame:
    """The tail score's rows: TPR at 1 % FPR by model, every AUC ``auc``, 1000 rows each."""
    rows = [
        {
            "backbone": "mf",
            "model": model,
            "score": "tail",
            "auc": auc,
            "tpr@0.01": tpr,
            "tpr@0.001": tpr / 4,
            "n_members": N,
            "n_non_members": N,
            "reference_seconds": 3.0,
        }
        for model, tpr in tprs.items()
    ]
    return pd.DataFrame(rows)


AUDIT = pd.DataFrame({"backbone": "mf", "model": ["original", "retrain"], "n_members": [N, N]})


def test_verdict_names_the_methods_above_retrain_beyond_sampling_error():
    # binomial errors at n = 1000: 0.060 -> 0.0075, 0.010 -> 0.0031, 0.012 -> 0.0034:
    # IFRU differs from Retrain by 0.05 (> 2 x 0.0081), SCIF by 0.002 (< 2 x 0.0046)
    # Warm-Start far *below* Retrain is no sign of D_r either
    tprs = {"original": 0.06, "retrain": 0.01, "ifru": 0.06, "scif": 0.012, "warm_start": 0.0}
    line = verdict_line("mf", AUDIT, lira(tprs), "tail")
    assert "detectable where Retrain's is not under IFRU;" in line
    assert line.endswith("within sampling error of Retrain: SCIF, Warm-Start.")


def test_without_power_the_verdict_says_the_attack_cannot_tell():
    table = lira({"original": 0.013, "retrain": 0.01, "ifru": 0.2})
    assert NO_POWER in verdict_line("mf", AUDIT, table, "tail")


def test_without_lira_the_verdict_reads_the_population_attack():
    audit = AUDIT.assign(population_auc=[0.70, 0.50])
    line = verdict_line("mf", audit, pd.DataFrame(), "tail")
    assert line == (
        "**MF** (population attack): no method leaves D_r more detectable than Retrain "
        "does (within sampling error: none)."
    )
    assert NO_POWER in verdict_line("mf", audit.assign(population_auc=0.5), pd.DataFrame(), "tail")


def test_tpr_figure_has_a_bar_per_rate_and_the_section_its_verdict():
    table = lira({"original": 0.06, "retrain": 0.01, "ifru": 0.06})
    figure = tpr_figure([table], "tail")
    assert [trace.name for trace in figure.data] == ["TPR at FPR 0.01", "TPR at FPR 0.001"]
    assert list(figure.data[0].y) == [0.06, 0.01, 0.06]
    assert {shape.y0 for shape in figure.layout.shapes} == {0.01, 0.001}
    section = audit_html([AUDIT], [table], "tail", figure)
    assert section.startswith("<h2 id='audits'>")
    assert "<b>MF</b> (LiRA, tail score): D_r stays detectable" in section
    assert "figure-audit-tpr" in section
