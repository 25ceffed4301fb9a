"""Report figures (matplotlib; the catalog saves them)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

AUC_METRICS = ["auc_0", "auc_1", "auc_2"]


def auc_figure(tidy: pd.DataFrame) -> Figure:
    """Grouped bars of AUC_0/1/2 per model, one panel per backbone."""
    backbones = sorted(tidy["backbone"].unique())
    fig, axes = plt.subplots(1, len(backbones), figsize=(6 * len(backbones), 4), squeeze=False)
    for ax, backbone in zip(axes[0], backbones, strict=True):
        subset = tidy[(tidy["backbone"] == backbone) & tidy["metric"].isin(AUC_METRICS)]
        wide = subset.pivot(index="model", columns="metric", values="value")
        wide = wide.reindex(columns=[m for m in AUC_METRICS if m in wide.columns])
        wide.plot.bar(ax=ax, rot=0)
        finite = subset["value"].dropna()
        if not finite.empty:
            span = max(finite.max() - finite.min(), 0.01)
            ax.set_ylim(finite.min() - 0.5 * span, finite.max() + 0.5 * span)
        ax.set_title(f"{backbone}: test AUC")
        ax.set_ylabel("AUC")
    fig.tight_layout()
    return fig
