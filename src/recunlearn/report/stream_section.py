"""The stream section of the report: drift, cumulative time and the amortised table.

Per backbone: every method's distance from the matched Retrain against the request count
(the matched Retrain at 0 by definition, Original's distance dotted: doing nothing,
Retrain*'s distance at the last checkpoint as the noise line), the cumulative seconds
against the request count beside retraining after every request, and a table of the
amortised speed-up and the two retrain-now points (beyond Retrain*'s noise; worse than
Original), and the population attack's AUC per checkpoint where it ran. Plotly
figures, and one self-contained HTML fragment (plotly.js embedded once).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from recunlearn.unlearning.stream_costs import RETRAIN_EVERY_REQUEST

TABLE_COLUMNS = [
    "method",
    "stream_seconds",
    "k_retrain_seconds",
    "amortised_speedup",
    "retrain_now_at",
    "worse_than_original_at",
]


def drift_figure(metrics: pd.DataFrame, amortised: pd.DataFrame, metric: str) -> go.Figure:
    """``metric`` (a distance from Retrain) per method against the request count."""
    figure = go.Figure()
    for method, group in metrics.groupby("method", sort=True):
        if method == "retrain_star":
            continue
        group = group.sort_values("requests_done")
        mode = "markers" if method == "retrain" else "lines+markers"
        dash = "dot" if method == "original" else None
        name = "original (doing nothing)" if method == "original" else method
        figure.add_trace(
            go.Scatter(
                x=group["requests_done"], y=group[metric], mode=mode, name=name, line={"dash": dash}
            )
        )
    reference = float(amortised["drift_reference"].iloc[0]) if len(amortised) else None
    if reference is not None and pd.notna(reference) and reference != float("inf"):
        figure.add_hline(y=reference, line_dash="dash", annotation_text="Retrain* vs Retrain")
    figure.update_layout(
        title=f"{metric} against the matched Retrain", xaxis_title="requests answered"
    )
    return figure


def time_figure(cost: pd.DataFrame) -> go.Figure:
    """Cumulative seconds per method against the request count, beside K retrains."""
    figure = go.Figure()
    for method, group in cost.groupby("method", sort=True):
        dash = "dash" if method == RETRAIN_EVERY_REQUEST else None
        figure.add_trace(
            go.Scatter(
                x=group["requests_done"],
                y=group["cumulative_seconds"],
                mode="lines+markers",
                name=method,
                line={"dash": dash},
            )
        )
    figure.update_layout(
        title="cumulative seconds (preparation counted once)",
        xaxis_title="requests answered",
        yaxis_title="seconds",
    )
    return figure


def _number(value: float) -> str:
    return f"{value:.3g}"


def tables_html(metrics: pd.DataFrame, amortised: pd.DataFrame) -> str:
    """The amortised table, then the population attack's AUC per model and checkpoint
    where the metrics have it."""
    out = amortised[TABLE_COLUMNS].to_html(index=False, float_format=_number)
    if "population_auc" not in metrics.columns:
        return out
    wide = metrics.pivot(index="method", columns="requests_done", values="population_auc")
    wide.columns = [f"after {count}" for count in wide.columns]
    caption = "<p>Population attack AUC on the rows removed so far (Retrain: the target)</p>"
    return out + caption + wide.to_html(float_format=_number, na_rep="–")


def stream_section_html(
    sections: list[tuple[str, str, list[go.Figure]]], include_plotlyjs: bool = True
) -> str:
    """The HTML fragment: per backbone its figures and tables (plotly.js with the first
    figure where ``include_plotlyjs``; a page that has it already says False)."""
    parts = ["<section id='stream'><h2>Deletion requests as a stream</h2>"]
    first = include_plotlyjs
    for backbone, tables, figures in sections:
        parts.append(f"<h3>{backbone}</h3>")
        for figure in figures:
            parts.append(figure.to_html(full_html=False, include_plotlyjs=first))
            first = False
        parts.append(tables)
    parts.append("</section>")
    return "\n".join(parts)


def stream_sections(tables: tuple[pd.DataFrame, ...]) -> list[tuple[str, str, list]]:
    """(backbone, its tables' HTML, [drift figure, time figure]) of each backbone's
    (metrics, amortised, cost) tables, in that order (``pipelines.stream.TABLES``)."""
    sections = []
    for i in range(0, len(tables), 3):
        metrics, amortised, cost = tables[i : i + 3]
        metric = str(amortised["drift_metric"].iloc[0])
        pair = [drift_figure(metrics, amortised, metric), time_figure(cost)]
        sections.append((str(metrics["backbone"].iloc[0]), tables_html(metrics, amortised), pair))
    return sections


def build_stream_report(*tables: pd.DataFrame) -> tuple[str | go.Figure, ...]:
    """(HTML fragment, then each backbone's drift and time figures) from each backbone's
    (metrics, amortised, cost) tables."""
    sections = stream_sections(tables)
    return (stream_section_html(sections), *(f for _, _, pair in sections for f in pair))


def with_stream_section(page: str, tables: tuple[pd.DataFrame, ...]) -> str:
    """``page`` (a whole HTML report that embeds plotly.js already) with the stream section
    of ``tables`` (as :func:`build_stream_report`'s) at the end of its body."""
    if "</body>" not in page:
        raise ValueError("stream section: the report page has no </body> to insert it before")
    fragment = stream_section_html(stream_sections(tables), include_plotlyjs=False)
    head, tail = page.rsplit("</body>", 1)
    return f"{head}{fragment}</body>{tail}"
