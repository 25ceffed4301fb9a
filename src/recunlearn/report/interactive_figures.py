"""Interactive report figures (plotly; the catalog saves them, kedro-viz previews them).

Every figure puts one method per row of a categorical axis, with a height that grows
with the number of methods, so tick labels never overlap; values are also in the hover
text. Methods whose AUCs differ by less than 0.003 stay apart in the difference-to-
Retrain panel, whose axis spans only the differences.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from recunlearn.report.headline import backbone_label, method_label, ordered_models
from recunlearn.unlearning import EXACT_METHODS

AUC_METRICS = ("auc_0", "auc_1", "auc_2")
COEFFICIENT_LABELS = {
    "auc_0": "AUC_0",
    "auc_1": "AUC_1",
    "auc_2": "AUC_2",
    "pred_auc_1": "predictions, AUC_1 rows",
    "pred_forget": "predictions, D_r",
}
COMPLETENESS_SHOWN = ("auc_0", "pred_auc_1", "pred_forget")
CLIP = (-1.0, 2.0)
"""Completeness axis; values beyond it sit on its edge as arrows, true value on hover."""
ROW_HEIGHT = 26
DIFFERENCE_CAP = 0.02
"""The difference-to-Retrain axis spans at most +-this, so differences of 0.003 stay
visible; longer bars run to the edge and carry their value (as text where it fits, and
on hover)."""
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c")
PALETTE = qualitative.Dark24


def _colour(models: list[str], model: str) -> str:
    """The same colour for a method in every panel."""
    return PALETTE[models.index(model) % len(PALETTE)]


def _backbones(runs: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(runs["backbone"]))


def _labels(runs: pd.DataFrame, backbone: str) -> list[tuple[str, str]]:
    """(model, label) in the headline's order; labels are plain method names."""
    mine = runs[runs["backbone"] == backbone]
    return [(m, method_label(m)) for m in ordered_models(mine)]


def _padded_range(values: list[float], minimum_span: float) -> list[float]:
    finite = [v for v in values if v == v]
    if not finite:
        return [-minimum_span, minimum_span]
    low, high = min(finite), max(finite)
    pad = max(high - low, minimum_span) * 0.12
    return [low - pad, high + pad]


def _height(runs: pd.DataFrame, per_row: int) -> int:
    counts = runs.groupby("backbone")["model"].nunique()
    return int(120 + sum(80 + per_row * ROW_HEIGHT * n for n in counts))


def _category_axis(fig: go.Figure, labels: list[str], row: int) -> None:
    """One category per method, top to bottom in the headline's order."""
    fig.update_yaxes(
        categoryorder="array", categoryarray=labels[::-1], type="category", row=row, col=1
    )


def _cap_arrows(delta: list[float], y: list[str], colour: str) -> go.Scatter:
    """Arrow markers at the capped axis' edge for differences beyond it (true value on hover)."""
    beyond = [abs(d) > DIFFERENCE_CAP for d in delta]
    return go.Scatter(
        x=[
            DIFFERENCE_CAP if d > 0 else -DIFFERENCE_CAP
            for d, b in zip(delta, beyond, strict=True)
            if b
        ],
        y=[label for label, b in zip(y, beyond, strict=True) if b],
        mode="markers",
        marker={
            "symbol": [
                "triangle-right" if d > 0 else "triangle-left"
                for d in delta
                if abs(d) > DIFFERENCE_CAP
            ],
            "size": 11,
            "color": colour,
            "line": {"color": "black", "width": 1},
        },
        customdata=[d for d in delta if abs(d) > DIFFERENCE_CAP],
        hovertemplate="%{y}: %{customdata:+.4f} (beyond the axis)<extra></extra>",
        showlegend=False,
        name="beyond the axis",
    )


def auc_figure(tidy: pd.DataFrame, runs: pd.DataFrame) -> go.Figure:
    """AUC_0/1/2 per method: a zoomed absolute panel and a difference-to-Retrain panel."""
    backbones = _backbones(runs)
    fig = make_subplots(
        rows=len(backbones),
        cols=2,
        shared_yaxes=True,
        horizontal_spacing=0.04,
        vertical_spacing=0.3 / max(len(backbones), 1),
        subplot_titles=[
            t
            for b in backbones
            for t in (f"{backbone_label(b)}: AUC", f"{backbone_label(b)}: AUC − Retrain's")
        ],
    )
    for row, backbone in enumerate(backbones, start=1):
        values = tidy[tidy["backbone"] == backbone].set_index(["model", "metric"])["value"]
        models = _labels(runs, backbone)
        absolute, difference = [], []
        for colour, metric in zip(COLOURS, AUC_METRICS, strict=False):
            x = [values.get((m, metric), float("nan")) for m, _ in models]
            base = values.get(("retrain", metric), float("nan"))
            delta = [v - base for v in x]
            y = [label for _, label in models]
            common = dict(name=metric.upper(), legendgroup=metric, marker_color=colour)
            fig.add_trace(
                go.Scatter(x=x, y=y, mode="markers", showlegend=row == 1, **common),
                row=row,
                col=1,
            )
            far = [f"{d:+.3f}" if abs(d) > DIFFERENCE_CAP else "" for d in delta]
            bars = go.Bar(x=delta, y=y, orientation="h", text=far, textposition="inside")
            fig.add_trace(bars.update(showlegend=False, **common), row=row, col=2)
            fig.add_trace(_cap_arrows(delta, y, colour), row=row, col=2)
            absolute += x
            difference += [max(min(d, DIFFERENCE_CAP), -DIFFERENCE_CAP) for d in delta]
        fig.update_xaxes(range=_padded_range(absolute, 0.01), row=row, col=1)
        fig.update_xaxes(range=_padded_range(difference + [0.0], 0.002), row=row, col=2)
        _category_axis(fig, [label for _, label in models], row)
    fig.update_layout(
        barmode="group",
        scattermode="group",
        height=_height(runs, 1),
        title="Test AUC per method (left: zoomed axis; right: difference to Retrain, "
        "arrows: beyond the axis)",
        legend_title_text="metric",
    )
    return fig


def _clipped(values: list[float]) -> tuple[list[float], list[str]]:
    """Values on the completeness axis and their marker symbols (arrows where clipped)."""
    low, high = CLIP
    shown, symbols = [], []
    for v in values:
        shown.append(min(max(v, low), high) if v == v else v)
        symbols.append("triangle-left" if v < low else "triangle-right" if v > high else "circle")
    return shown, symbols


def completeness_figure(coefficients: pd.DataFrame, runs: pd.DataFrame) -> go.Figure:
    """Completeness per method: AUC_0 and prediction space (AUC_1 rows, D_r), 0 and 1 marked."""
    backbones = _backbones(runs)
    fig = make_subplots(
        rows=len(backbones),
        cols=1,
        vertical_spacing=0.3 / max(len(backbones), 1),
        subplot_titles=[f"{backbone_label(b)}: completeness" for b in backbones],
    )
    for row, backbone in enumerate(backbones, start=1):
        mine = coefficients[coefficients["backbone"] == backbone]
        table = mine.set_index(["model", "coefficient"])["value"]
        models = [(m, label) for m, label in _labels(runs, backbone) if m not in EXACT_METHODS]
        y = [label for _, label in models]
        for colour, name in zip(COLOURS, COMPLETENESS_SHOWN, strict=False):
            values = [table.get((m, name), float("nan")) for m, _ in models]
            shown, symbols = _clipped(values)
            fig.add_trace(
                go.Scatter(
                    x=shown,
                    y=y,
                    mode="markers",
                    name=COEFFICIENT_LABELS[name],
                    legendgroup=name,
                    showlegend=row == 1,
                    marker={"color": colour, "symbol": symbols, "size": 10},
                    customdata=values,
                    hovertemplate="%{y}: %{customdata:.3f}<extra>%{fullData.name}</extra>",
                ),
                row=row,
                col=1,
            )
        for x in (0, 1):
            fig.add_vline(x=x, line_dash="dot", line_color="grey", row=row, col=1)
        fig.update_xaxes(range=[CLIP[0] - 0.1, CLIP[1] + 0.1], row=row, col=1)
        _category_axis(fig, y, row)
    fig.update_layout(
        scattermode="group",
        height=_height(runs, 1),
        title="Completeness: 0 = Original, 1 = Retrain (arrows: beyond the axis, see hover; "
        "exact methods are complete by construction and not shown)",
    )
    return fig


def tradeoff_figure(
    tidy: pd.DataFrame, coefficients: pd.DataFrame, runs: pd.DataFrame
) -> go.Figure:
    """Unlearning time against prediction completeness on the AUC_1 rows, one trace per method."""
    backbones = _backbones(runs)
    fig = make_subplots(
        rows=1,
        cols=len(backbones),
        subplot_titles=[f"{backbone_label(b)}: time vs completeness" for b in backbones],
    )
    shown_methods: set[str] = set()
    every = list(dict.fromkeys(m for b in backbones for m, _ in _labels(runs, b)))
    for col, backbone in enumerate(backbones, start=1):
        mine = runs[runs["backbone"] == backbone].set_index("model")
        table = coefficients[coefficients["backbone"] == backbone]
        table = table.set_index(["model", "coefficient"])["value"]
        for model, label in _labels(runs, backbone):
            if model == "original":
                continue
            value = table.get((model, "pred_auc_1"), float("nan"))
            shown, symbols = _clipped([value])
            fig.add_trace(
                go.Scatter(
                    x=[mine.loc[model, "seconds"]],
                    y=shown,
                    mode="markers",
                    name=label,
                    legendgroup=model,
                    showlegend=model not in shown_methods,
                    marker={"size": 12, "symbol": symbols, "color": _colour(every, model)},
                    customdata=[value],
                    hovertemplate=f"{label}: %{{x:.2f}} s, completeness %{{customdata:.3f}}"
                    "<extra></extra>",
                ),
                row=1,
                col=col,
            )
            shown_methods.add(model)
        fig.update_xaxes(type="log", title_text="seconds (log)", row=1, col=col)
        fig.update_yaxes(
            range=[CLIP[0] - 0.1, CLIP[1] + 0.1], title_text="completeness", row=1, col=col
        )
    fig.update_layout(
        height=520,
        title="The trade-off: unlearning time vs prediction completeness (AUC_1 rows)",
        legend_title_text="method",
    )
    return fig
