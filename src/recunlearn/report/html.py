"""A self-contained HTML report: readable in a browser offline, one file.

plotly.js is embedded once (with the first figure), benchmark figures are embedded as
base64 PNGs, and no element loads anything from the network.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from recunlearn.report.headline import Headline, backbone_label, method_label
from recunlearn.report.provenance import ReportProvenance

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1150px; color: #222;
       padding: 0 1em; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 13px; max-width: 100%; }
th, td { border: 1px solid #ccc; padding: 3px 7px; text-align: left; }
td { font-variant-numeric: tabular-nums; }
.wide { overflow-x: auto; max-width: 100%; }
.verdict { font-size: 15px; margin: 0.5em 0; }
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


def _verdict_html(headline: Headline) -> str:
    lines = [html.escape(line) for line in headline.verdict]
    lines = [re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", line) for line in lines]
    return "".join(f"<div class='verdict'>{line}</div>" for line in lines)


def _headline_html(headline: Headline, tidy: pd.DataFrame) -> str:
    """One backbone's section: verdict, caption, headline table, legend, every metric."""
    caption = "".join(f"<div>{html.escape(line)}</div>" for line in headline.caption)
    notes = "".join(f"<li>{html.escape(note)}</li>" for note in headline.footnotes)
    title = backbone_label(headline.backbone)
    return (
        f"<h2 id='backbone-{html.escape(headline.backbone)}'>{html.escape(title)}</h2>"
        f"{_verdict_html(headline)}<div class='caption'>{caption}</div>"
        f"<div class='wide'>{headline.table.to_html(index=False, classes='headline')}</div>"
        + (f"<ul class='notes'>{notes}</ul>" if notes else "")
        + f"<details><summary>Every metric</summary>{_full_table_html(tidy, headline.backbone)}"
        "</details>"
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


def _full_table_html(tidy: pd.DataFrame, backbone: str) -> str:
    """Every metric of one backbone: metrics as rows, methods as columns."""
    group = tidy[tidy["backbone"] == backbone]
    wide = group.pivot(index="metric", columns="model", values="value")
    wide.columns = [method_label(m) for m in wide.columns]
    return f"<div class='wide'>{wide.to_html(float_format=lambda v: f'{v:.4f}')}</div>"


def html_report(
    provenance: ReportProvenance,
    headlines: Sequence[Headline],
    figures: Sequence[tuple[str, go.Figure]],
    benchmark_figures: Mapping[str, Mapping[str, Any]],
    tidy: pd.DataFrame,
    audit_section: str = "",
) -> str:
    """The whole page: provenance, one section per backbone (verdict, headline, every
    metric), then the figures, the audit section (linked from the top) and benchmark
    figures.

    Args:
        provenance: the header (run id, dataset, seed, device, threads, versions).
        headlines: one headline table per backbone.
        figures: ``(name, figure)`` plotly figures, embedded interactive.
        benchmark_figures: ``{name: {"png": bytes, "version": str}}``, embedded as images.
        tidy: the full metric table (backbone, model, metric, value).
        audit_section: the audits' HTML fragment (``<h2 id='audits'>``...), or empty.
    """
    sections = "".join(_headline_html(h, tidy) for h in headlines)
    link = "<p><a href='#audits'>Audits of forgetting</a></p>" if audit_section else ""
    body = (
        f"<h1>Unlearning report</h1>{link}"
        f"{_provenance_html(provenance)}{sections}"
        f"<h2>Figures</h2>{_figures_html(figures)}{audit_section}"
        f"<h2>Benchmark figures</h2>{_benchmarks_html(benchmark_figures)}"
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Unlearning report {html.escape(provenance.run_id)}</title>"
        f"<style>{STYLE}</style></head><body>{body}</body></html>"
    )
