"""The stream's cost node on hand-made metrics: both retrain-now points, at the resolution
of the checkpoints (``stream.checkpoints: [1, ..., K]``: the exact request)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recunlearn.pipelines.stream import create_pipeline
from recunlearn.pipelines.stream.nodes import _costs
from recunlearn.unlearning.stream_config import StreamConfig
from recunlearn.unlearning.stream_costs import request_log

from ..conftest import grid

K = 8


def metrics_at(counts: list[int]) -> pd.DataFrame:
    """IFRU drifts 0.1 per request, Original stays 0.45 away, Retrain* 0.25 at K; SISA
    (exact) drifts more but has no retrain-now point."""
    rows = [("ifru", c, 0.1 * c) for c in counts] + [("sisa", c, 0.9) for c in counts]
    rows += [("original", c, 0.45) for c in counts] + [("retrain", c, 0.0) for c in counts]
    rows += [("retrain_star", counts[-1], 0.25)]
    return pd.DataFrame(rows, columns=["method", "requests_done", "pred_distance_forget"])


def inputs_at(counts: list[int]) -> dict:
    log = request_log([{"seconds": 1.0}] * K, prepare_seconds=0.0)
    retrains = {f"retrain_log__retrain__{c}": {"seconds": 2.0} for c in counts}
    return {"log__ifru": log, "log__sisa": log, **retrains}


@pytest.mark.parametrize(
    ("checkpoints", "now", "worse"), [(list(range(1, K + 1)), 3, 5), (None, 4, 6)]
)
def test_both_points_come_at_the_checkpoints_resolution(checkpoints, now, worse):
    plan = StreamConfig(n_requests=K, checkpoints=checkpoints)
    counts = plan.checkpoint_counts()
    table, _ = _costs(metrics_at(counts), inputs_at(counts), plan, "mf")
    ifru = table.set_index("method").loc["ifru"]
    assert (ifru["retrain_now_at"], ifru["worse_than_original_at"]) == (now, worse)
    assert ifru["drift_reference"] == 0.25 and ifru["k_retrain_seconds"] == 2.0 * K
    sisa = table.set_index("method").loc["sisa"]
    assert np.isnan(sisa["retrain_now_at"]) and np.isnan(sisa["worse_than_original_at"])


def test_per_request_checkpoints_put_a_matched_retrain_and_a_model_after_every_request():
    plan = StreamConfig(n_requests=4, checkpoints=[1, 2, 3, 4])
    pipeline = create_pipeline(grid(["mf"], ["retrain", "retrain_star", "ifru"]), plan)
    names = {node.name for node in pipeline.nodes}
    assert {f"mf.stream.retrain_at_{c}" for c in (1, 2, 3, 4)} <= names
    assert "mf.stream.retrain_star_at_4" in names and "mf.stream.retrain_star_at_1" not in names
    outputs = pipeline.all_outputs()
    assert {f"mf.stream.ifru.model_at_{c}" for c in (1, 2, 3, 4)} <= outputs


@pytest.mark.parametrize("enabled", [True, False])
def test_report_html_reads_the_stream_tables_only_where_the_stream_runs(enabled):
    from recunlearn.pipelines.evaluation import create_pipeline as evaluation

    cells = grid(["mf", "lightgcn"], ["retrain", "ifru"])
    pipeline = evaluation(cells, StreamConfig(enabled=enabled))
    page = next(node for node in pipeline.nodes if node.name == "build_html_report")
    tables = [
        f"rpt_stream_table_{t}_{b}"
        for b in ("mf", "lightgcn")
        for t in ("metrics", "amortised", "cost")
    ]
    assert page.inputs[-6:] == tables if enabled else not set(tables) & set(page.inputs)
