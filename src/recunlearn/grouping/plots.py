"""Figures of the Group module (matplotlib ``Figure`` objects; the catalog saves them).

- :func:`group_size_figure`: group sizes of plain k-means against the balanced
  groupings, as in the paper's Fig. 9 (k-means is highly unbalanced).
- :func:`cohesion_figure`: collaborative cohesion per group of BKM against CBKM,
  as in the paper's Fig. 12 (groups in SeqTrain order, most cohesive first).

Figures are built without pyplot, so no global figure state accumulates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

LABELS = {"kmeans": "k-means", "rand": "Rand", "bkm": "BKM", "cbkm": "CBKM"}


def _grouped_bars(ax, series: Mapping[str, np.ndarray]) -> None:
    width = 0.8 / max(len(series), 1)
    for k, (name, values) in enumerate(series.items()):
        positions = np.arange(len(values)) + (k - (len(series) - 1) / 2) * width
        ax.bar(positions, values, width=width, label=LABELS.get(name, name))


def group_size_figure(sizes: Mapping[str, Sequence[int]], ceiling: int) -> Figure:
    """Bars of group sizes (largest first) per grouping, with the ceiling ceil(N/S).

    Args:
        sizes: Grouping name -> users per group (e.g. ``kmeans``, ``bkm``, ``cbkm``).
        ceiling: ceil(N / S), drawn as a dashed line.
    """
    fig = Figure(figsize=(7, 4))
    ax = fig.add_subplot()
    ordered = {name: np.sort(np.asarray(v))[::-1] for name, v in sizes.items()}
    _grouped_bars(ax, ordered)
    ax.axhline(ceiling, color="black", linestyle="--", linewidth=1, label="ceil(N/S)")
    ax.set_xlabel("group (largest first)")
    ax.set_ylabel("users in group")
    ax.set_title("Group sizes: plain vs balanced k-means (cf. LASER Fig. 9)")
    ax.legend()
    fig.tight_layout()
    return fig


def cohesion_figure(table: pd.DataFrame, groupings: Sequence[str] = ("bkm", "cbkm")) -> Figure:
    """Bars of cohesion rho per group, ordered by rank, one series per grouping.

    Args:
        table: The cohesion table (``grouping``, ``group``, ``cohesion``, ``rank``).
        groupings: Which groupings to draw.
    """
    fig = Figure(figsize=(7, 4))
    ax = fig.add_subplot()
    series = {
        name: table[table["grouping"] == name].sort_values("rank")["cohesion"].to_numpy()
        for name in groupings
    }
    _grouped_bars(ax, series)
    ax.set_xlabel("group rank (SeqTrain order)")
    ax.set_ylabel("collaborative cohesion rho")
    ax.set_title("Cohesion on collaborative embeddings (cf. LASER Fig. 12)")
    ax.legend()
    fig.tight_layout()
    return fig
