"""A stream's settings, per-request log, amortised cost and retrain-now point."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from recunlearn.unlearning.stream_config import StreamConfig
from recunlearn.unlearning.stream_costs import (
    RETRAIN_EVERY_REQUEST,
    amortised_table,
    cumulative_cost_table,
    request_log,
    retrain_now_point,
    retrain_seconds_per_request,
    worse_than_original_point,
)


@pytest.mark.parametrize(
    ("n_requests", "expected"),
    [(8, [2, 4, 6, 8]), (4, [1, 2, 3, 4]), (6, [2, 3, 5, 6]), (2, [1, 2])],
)
def test_default_checkpoints_are_the_quarters_of_the_stream(n_requests, expected):
    assert StreamConfig(n_requests=n_requests).checkpoint_counts() == expected


@pytest.mark.parametrize(
    ("checkpoints", "message"),
    [
        ([0, 4], "each must lie in 1..8"),
        ([2, 9], "each must lie in 1..8"),
        ([4, 2], "increasing"),
        ([2, 2], "increasing"),
        ([], "each must lie"),
    ],
)
def test_checkpoints_outside_the_stream_or_out_of_order_are_refused(checkpoints, message):
    with pytest.raises(ValidationError, match=f"stream.checkpoints: .*{message}"):
        StreamConfig(n_requests=8, checkpoints=checkpoints)


def test_the_request_kind_is_a_closed_set():
    with pytest.raises(ValidationError, match="request.kind"):
        StreamConfig.model_validate({"request": {"kind": "everything"}})


def test_a_category_stream_is_refused_by_its_parameter_path():
    with pytest.raises(ValidationError, match="stream.request.kind: 'category'"):
        StreamConfig.model_validate({"request": {"kind": "category", "n_users": 2}})
    assert StreamConfig.model_validate({"request": {"kind": "private"}}).request.kind == "private"


def test_the_log_counts_the_preparation_once_and_the_units_retrained():
    logs = [{"seconds": 1.0, "shards_retrained": 2}, {"seconds": 0.5, "shards_retrained": 1}]
    log = request_log(logs, prepare_seconds=10.0)
    assert log["cumulative_seconds"].tolist() == [11.0, 11.5]
    assert log["shards_retrained"].tolist() == [2.0, 1.0]
    assert log["stages_retrained"].isna().all()


def test_retrain_times_are_interpolated_between_checkpoints_and_held_outside():
    seconds = retrain_seconds_per_request({2: 10.0, 4: 6.0}, 5)
    assert seconds.tolist() == [10.0, 10.0, 8.0, 6.0, 6.0]


def test_amortised_speedup_is_k_retrains_over_the_stream_and_retrain_now_the_first_excess():
    log = request_log([{"seconds": 1.0}] * 4, prepare_seconds=2.0)  # 6 s in all
    drift = {"ifru": {2: 0.1, 4: 0.3}, "sisa": {2: 0.0, 4: 0.0}}
    table = amortised_table({"ifru": log, "sisa": log}, {2: 3.0, 4: 3.0}, drift, 0.2)
    row = table.set_index("method").loc["ifru"]
    assert row["k_retrain_seconds"] == 12.0 and row["stream_seconds"] == 6.0
    assert row["amortised_speedup"] == 2.0 and row["retrain_now_at"] == 4
    assert np.isnan(table.set_index("method").loc["sisa", "retrain_now_at"])
    assert retrain_now_point({4: 0.5, 2: 0.5}, 0.2) == 2


def test_the_cost_table_holds_each_stream_and_retraining_after_every_request():
    log = request_log([{"seconds": 1.0}] * 3, prepare_seconds=0.0)
    table = cumulative_cost_table({"warm_start": log}, {1: 2.0, 3: 4.0})
    every = table[table["method"] == RETRAIN_EVERY_REQUEST]
    assert every["cumulative_seconds"].tolist() == [2.0, 5.0, 9.0]
    assert isinstance(table, pd.DataFrame) and set(table["method"]) == {
        "warm_start",
        RETRAIN_EVERY_REQUEST,
    }


def test_worse_than_original_is_the_first_checkpoint_beyond_originals_own_distance():
    drift = {2: 0.10, 4: 0.20, 6: 0.35, 8: 0.50}
    original = {2: 0.30, 4: 0.30, 6: 0.32, 8: 0.40}  # Original's gap grows as rows go
    assert worse_than_original_point(drift, original) == 6
    assert worse_than_original_point(drift, {2: 0.30, 4: 0.30, 6: 0.40, 8: 0.60}) is None
    assert worse_than_original_point({2: 0.3}, {2: 0.3}) is None  # equal: not worse
    assert worse_than_original_point(drift, {6: 0.1}) == 6  # checkpoints Original lacks skipped


def test_the_table_holds_both_points_per_method_and_none_without_originals_distances():
    log = request_log([{"seconds": 1.0}] * 8, prepare_seconds=0.0)
    drift = {"scif": {2: 0.01, 4: 0.02, 6: 0.25, 8: 0.3}}
    original = {2: 0.2, 4: 0.2, 6: 0.2, 8: 0.2}
    table = amortised_table({"scif": log}, {8: 1.0}, drift, 0.005, original).iloc[0]
    assert (table["retrain_now_at"], table["worse_than_original_at"]) == (2.0, 6.0)
    alone = amortised_table({"scif": log}, {8: 1.0}, drift, 0.005).iloc[0]
    assert np.isnan(alone["worse_than_original_at"])


def test_per_request_checkpoints_report_the_exact_request_the_quarters_round_up():
    every = StreamConfig(n_requests=8, checkpoints=list(range(1, 9))).checkpoint_counts()
    quarters = StreamConfig(n_requests=8).checkpoint_counts()
    drift = {c: 0.1 * c for c in range(1, 9)}  # grows by 0.1 per request
    original = dict.fromkeys(range(1, 9), 0.45)
    seen = {
        name: {c: drift[c] for c in counts} for name, counts in [("every", every), ("q", quarters)]
    }
    assert retrain_now_point(seen["every"], 0.25) == 3
    assert retrain_now_point(seen["q"], 0.25) == 4
    assert worse_than_original_point(seen["every"], original) == 5
    assert worse_than_original_point(seen["q"], original) == 6
