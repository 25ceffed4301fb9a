"""The audit section of the HTML report and its figure: TPR at low FPR per method.

Per backbone: the verdict line (:mod:`recunlearn.report.audit_verdict`), the audit table
and the fairness table (each number beside its distance to Retrain, as in the markdown
of :mod:`recunlearn.report.audit_table`), LiRA's power line and table; then one Plotly
figure with a panel per backbone: each model's TPR at every reported FPR with its
binomial error, the FPR itself (what a model that never saw D_r scores) dashed.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from recunlearn.audits.power import power_line, rate_error
from recunlearn.report.audit_table import (
    is_fairness,
    lira_heading,
    split_levels,
    with_retrain_distance,
)
from recunlearn.report.audit_verdict import verdict_line
from recunlearn.report.headline import backbone_label, method_label


def _tpr_panel(figure: go.Figure, table: pd.DataFrame, shown: str, column: int) -> None:
    """Bars of one backbone's TPR at every reported FPR (panel ``column``)."""
    rows = table[table["score"] == shown]
    labels = [method_label(m) for m in rows["model"]]
    for key in sorted((c for c in rows.columns if c.startswith("tpr@")), reverse=True):
        fpr, sizes = float(key[4:]), rows["n_members"].astype(int)
        errors = [rate_error(v, n) for v, n in zip(rows[key], sizes, strict=True)]
        bars = go.Bar(
            x=labels,
            y=rows[key],
            error_y={"type": "data", "array": errors},
            name=f"TPR at FPR {fpr:g}",
            legendgroup=key,
            showlegend=column == 1,
        )
        figure.add_trace(bars, row=1, col=column)
        figure.add_hline(y=fpr, line_dash="dot", row=1, col=column)


def tpr_figure(lira: Sequence[pd.DataFrame], shown: str) -> go.Figure:
    """TPR at each low FPR per model, one panel per backbone that ran LiRA."""
    ran = [rows for rows, _ in map(split_levels, lira) if len(rows)]
    titles = [backbone_label(str(t["backbone"].iloc[0])) for t in ran] or ["no LiRA run"]
    figure = make_subplots(rows=1, cols=len(titles), subplot_titles=titles, shared_yaxes=True)
    for column, table in enumerate(ran, start=1):
        _tpr_panel(figure, table, shown, column)
    figure.update_layout(
        title=f"LiRA ({shown} score): true-positive rate on D_r at low false-positive rates",
        barmode="group",
        yaxis_title="TPR (dotted: the FPR, a model that never saw D_r)",
    )
    return figure


def _table_html(table: pd.DataFrame) -> str:
    return (
        f"<div class='wide'>{table.to_html(index=False, float_format=lambda v: f'{v:.3f}')}</div>"
    )


def _bold(line: str) -> str:
    return re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", html.escape(line))


def backbone_html(audit: pd.DataFrame, lira: pd.DataFrame, shown: str) -> str:
    """One backbone's part: verdict, audit table, fairness table, LiRA's power and table."""
    backbone = str(audit["backbone"].iloc[0])
    lira, users = split_levels(lira)
    main = audit[[c for c in audit.columns if not is_fairness(c)]]
    parts = [
        f"<h3>{html.escape(backbone_label(backbone))}</h3>",
        f"<div class='verdict'>{_bold(verdict_line(backbone, audit, lira, shown))}</div>",
        _table_html(with_retrain_distance(main)),
    ]
    fairness = [c for c in audit.columns if is_fairness(c)]
    if fairness:
        parts += [
            "<p class='caption'>NDCG by gender and age band, gaps and their change "
            "from Original:</p>",
            _table_html(audit[["model", *fairness]]),
        ]
    parts += _lira_html(lira, shown, "row") + _lira_html(users, shown, "user")
    return "".join(parts)


def _lira_html(lira: pd.DataFrame, shown: str, level: str) -> list[str]:
    """One level's LiRA: what it audits, its power line and the ``shown`` score's table."""
    rows = lira[lira["score"] == shown] if len(lira) else lira
    if not (len(rows) and {"original", "retrain"} <= set(rows["model"])):
        return []
    named, tpr = rows.set_index("model"), next(c for c in rows if c.startswith("tpr@"))
    line = power_line(named.loc["original"], named.loc["retrain"], tpr)
    extra = ["score", "n_members", "n_non_members", "reference_seconds", "backbone"]
    return [
        f"<p class='caption'>{html.escape(lira_heading(named, shown, level))}<br>"
        f"Audit power: {html.escape(line)}</p>",
        _table_html(with_retrain_distance(rows.drop(columns=extra))),
    ]


def audit_html(
    audits: Sequence[pd.DataFrame], lira: Sequence[pd.DataFrame], shown: str, figure: go.Figure
) -> str:
    """The report's audit section (an HTML fragment; plotly.js comes from the page)."""
    lira = list(lira) or [pd.DataFrame()] * len(audits)
    backbones = "".join(
        backbone_html(a, t, shown) for a, t in zip(audits, lira, strict=True) if len(a)
    )
    div = figure.to_html(full_html=False, include_plotlyjs=False, div_id="figure-audit-tpr")
    return (
        "<h2 id='audits'>Audits of forgetting</h2><p class='caption'>Can D_r still be "
        "detected in each model? Population and likelihood-ratio membership attacks on D_r "
        "against matched held-out rows, the protocol's behavioural check and NDCG by "
        "demographic group; each number beside its distance to Retrain's.</p>"
        f"{backbones}<div class='plot'>{div}</div>"
    )
