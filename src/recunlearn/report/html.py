"""A self-contained HTML report: readable in a browser offline, one file.

plotly.js is embedded once (with the first figure), benchmark figures are embedded as
base64 PNGs, and no element loads anything from the network.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from recunlearn.report.headline import Headline, backbone_label, model_label
from recunlearn.report.provenance import ReportProvenance

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1150px; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 3px 7px; text-align: left; }
th { background: #f2f2f2; }
.caption, .notes { font-size: 13px; color: #444; }
figure { margin: 1em 0; }
figure img { max-width: 100%; border: 1px solid #ddd; }
.plot { margin: 1em 0 2em; }
"""


def _provenance_html(p: ReportProvenance) -> str:
    items = [
        f"<li><b>run id</b>: <code>{html.escape(p.run_id)}</code> (report written by "
        f"session <code>{html.escape(p.report_session)}</code>)</li>",
        f"<li><b>dataset</b>: {html.escape(p.dataset)}; <b>seed</b>: {p.seed}</li>",
        f"<li><b>device</b>: {html.escape(', '.join(p.devices))}; <b>threads</b>: "
        f"{', '.join(str(t) for t in p.threads)}</li>",
    ]
    if p.other_runs:
        others = html.escape(", ".join(p.other_runs))
        items.append(f"<li><b>rows from other runs</b> (marked †, no speed-up): {others}</li>")
    else:
        items.append("<li>every row comes from this run</li>")
    versions = pd.DataFrame(sorted(p.versions.items()), columns=["dataset", "version"])
    table = versions.to_html(index=False) if p.versions else "<p>none recorded</p>"
    return (
        f"<ul id='provenance'>{''.join(items)}</ul>"
        f"<details><summary>Catalog versions read</summary>{table}</details>"
    )


def _headline_html(headline: Headline, title: str) -> str:
    caption = "".join(f"<div>{html.escape(line)}</div>" for line in headline.caption)
    notes = "".join(f"<li>{html.escape(note)}</li>" for note in headline.footnotes)
    return (
        f"<h3>{html.escape(title)}</h3><div class='caption'>{caption}</div>"
        f"{headline.table.to_html(index=False, classes='headline')}"
        + (f"<ol class='notes'>{notes}</ol>" if notes else "")
    )


def _figures_html(figures: Sequence[tuple[str, go.Figure]]) -> str:
    parts = []
    for i, (name, figure) in enumerate(figures):
        div = figure.to_html(
            full_html=False,
            include_plotlyjs=i == 0,
            div_id=f"figure-{name}",
            config={"displaylogo": False, "responsive": True},
        )
        parts.append(f"<div class='plot'>{div}</div>")
    return "".join(parts)


def _benchmarks_html(benchmark_figures: Mapping[str, Mapping[str, Any]]) -> str:
    if not benchmark_figures:
        return "<p>No benchmark figure has been written yet (see <code>benchmarks/</code>).</p>"
    parts = []
    for name, figure in sorted(benchmark_figures.items()):
        data = base64.b64encode(figure["png"]).decode("ascii")
        caption = f"{name} (version {figure['version']})"
        parts.append(
            f"<figure><img src='data:image/png;base64,{data}' alt='{html.escape(name)}'>"
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        )
    return "".join(parts)


def _full_tables_html(tidy: pd.DataFrame) -> str:
    parts = []
    for backbone, group in tidy.groupby("backbone", sort=False):
        wide = group.pivot(index="model", columns="metric", values="value")
        wide.index = [model_label(backbone, m) for m in wide.index]
        parts.append(f"<h3>{html.escape(backbone_label(backbone))}</h3>")
        parts.append(wide.to_html(float_format=lambda v: f"{v:.4f}"))
    return "".join(parts)


def html_report(
    provenance: ReportProvenance,
    headlines: Sequence[Headline],
    figures: Sequence[tuple[str, go.Figure]],
    benchmark_figures: Mapping[str, Mapping[str, Any]],
    tidy: pd.DataFrame,
) -> str:
    """The whole page: provenance, headline tables, figures, benchmark figures, full tables.

    Args:
        provenance: the header (run id, dataset, seed, device, threads, versions).
        headlines: one headline table per backbone.
        figures: ``(name, figure)`` plotly figures, embedded interactive.
        benchmark_figures: ``{name: {"png": bytes, "version": str}}``, embedded as images.
        tidy: the full metric table (backbone, model, metric, value).
    """
    headline_parts = "".join(_headline_html(h, backbone_label(h.backbone)) for h in headlines)
    body = (
        "<h1>Unlearning report</h1>"
        f"{_provenance_html(provenance)}"
        f"<h2>Headline</h2>{headline_parts}"
        f"<h2>Figures</h2>{_figures_html(figures)}"
        f"<h2>Benchmark figures</h2>{_benchmarks_html(benchmark_figures)}"
        f"<h2>All metrics</h2>{_full_tables_html(tidy)}"
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Unlearning report {html.escape(provenance.run_id)}</title>"
        f"<style>{STYLE}</style></head><body>{body}</body></html>"
    )
