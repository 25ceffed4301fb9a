import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from recunlearn.grouping import cohesion_figure, group_size_figure


def test_group_size_figure_draws_one_bar_per_group_and_grouping():
    sizes = {"kmeans": [50, 3, 7], "bkm": [20, 20, 20], "cbkm": [20, 20, 20]}
    fig = group_size_figure(sizes, ceiling=20)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    heights = [patch.get_height() for patch in ax.patches]
    assert len(heights) == 9
    assert heights[:3] == [50, 7, 3]  # largest first
    legend = {t.get_text() for t in ax.get_legend().get_texts()}
    assert legend == {"k-means", "BKM", "CBKM", "ceil(N/S)"}


def test_cohesion_figure_orders_groups_by_rank():
    table = pd.DataFrame(
        {
            "grouping": ["bkm"] * 3 + ["cbkm"] * 3,
            "group": [0, 1, 2] * 2,
            "size": [2] * 6,
            "cohesion": [0.1, 0.3, 0.2, 1.0, 3.0, 2.0],
            "rank": [2, 0, 1, 2, 0, 1],
        }
    )
    ax = cohesion_figure(table).axes[0]
    heights = np.array([patch.get_height() for patch in ax.patches])
    np.testing.assert_allclose(heights, [0.3, 0.2, 0.1, 3.0, 2.0, 1.0])
