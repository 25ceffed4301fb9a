"""The report's stream section: figures per backbone and one HTML fragment."""

from __future__ import annotations

import pandas as pd
import pytest

from recunlearn.report.stream_section import build_stream_report, with_stream_section
from recunlearn.unlearning.stream_costs import RETRAIN_EVERY_REQUEST


def tables(backbone: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    metrics = pd.DataFrame(
        {
            "backbone": backbone,
            "method": [
                "ifru",
                "ifru",
                "original",
                "original",
                "retrain",
                "retrain",
                "retrain_star",
            ],
            "requests_done": [2, 4, 2, 4, 2, 4, 4],
            "pred_distance_forget": [0.01, 0.05, 0.04, 0.04, 0.0, 0.0, 0.03],
        }
    )
    amortised = pd.DataFrame(
        {
            "backbone": [backbone],
            "method": ["ifru"],
            "stream_seconds": [2.0],
            "k_retrain_seconds": [8.0],
            "amortised_speedup": [4.0],
            "retrain_now_at": [4.0],
            "worse_than_original_at": [4.0],
            "drift_reference": [0.03],
            "drift_metric": ["pred_distance_forget"],
        }
    )
    cost = pd.DataFrame(
        {
            "method": ["ifru"] * 4 + [RETRAIN_EVERY_REQUEST] * 4,
            "requests_done": [1, 2, 3, 4] * 2,
            "cumulative_seconds": [0.5, 1.0, 1.5, 2.0, 2.0, 4.0, 6.0, 8.0],
            "backbone": backbone,
        }
    )
    return metrics, amortised, cost


def test_each_backbone_gets_its_drift_and_time_figures_and_a_table_in_one_fragment():
    html, *figures = build_stream_report(*tables("mf"), *tables("lightgcn"))
    assert len(figures) == 4
    drift, time = figures[:2]
    names = [t.name for t in drift.data]
    assert names == ["ifru", "original (doing nothing)", "retrain"]  # Retrain* is the line
    assert drift.data[1].line.dash == "dot" and drift.data[0].line.dash is None
    assert drift.layout.shapes[0].y0 == 0.03
    assert {t.name for t in time.data} == {"ifru", RETRAIN_EVERY_REQUEST}
    assert list(time.data[1].y) == [2.0, 4.0, 6.0, 8.0]
    assert html.count("<h3>") == 2 and html.count("plotly.js v") == 1  # plotly.js once
    assert (
        "amortised_speedup" in html and html.count("<td>4</td>") == 6
    )  # speed-up, both points; 2 backbones
    assert "worse_than_original_at" in html


def test_the_report_page_gets_the_section_at_the_end_of_its_body_without_plotlyjs_again():
    page = "<!DOCTYPE html><html><body><h1>Unlearning report</h1></body></html>"
    out = with_stream_section(page, (*tables("mf"), *tables("lightgcn")))
    assert out.startswith(page[: page.index("</body>")]) and out.endswith("</body></html>")
    section = out[out.index("<section id='stream'>") : out.index("</body>")]
    assert section.count("<h3>") == 2 and section.count("Plotly.newPlot") == 4
    assert "plotly.js v" not in out  # the page embeds it once already, with its own figures


def test_a_page_without_a_body_end_is_refused():
    with pytest.raises(ValueError, match="stream section: the report page has no </body>"):
        with_stream_section("<html></html>", tables("mf"))


def test_the_attack_auc_per_checkpoint_follows_the_amortised_table_where_it_ran():
    metrics, amortised, cost = tables("mf")
    attacked = metrics.assign(population_auc=[0.7, 0.72, 0.8, 0.81, 0.5, 0.52, 0.49])
    html, *_ = build_stream_report(attacked, amortised, cost, *tables("lightgcn"))
    mf, lightgcn = html.split("<h3>lightgcn</h3>")
    assert "Population attack AUC" in mf and "Population attack AUC" not in lightgcn
    attack = mf[mf.index("Population attack AUC") :]
    assert "<th>after 2</th>" in attack and "<td>0.52</td>" in attack
    assert attack.count("<td>–</td>") == 1  # Retrain* only at the last checkpoint
