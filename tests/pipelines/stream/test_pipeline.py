"""The stream pipeline in memory: one method of every family answers a stream of four
requests on MF, Retrain is matched at the checkpoints, and the tables and the report's
stream section come out of it."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from recunlearn.models import model_from_payload
from recunlearn.pipeline_registry import pipelines_for
from recunlearn.pipelines.evaluation import create_pipeline as evaluation
from recunlearn.pipelines.grouping import create_pipeline as grouping
from recunlearn.pipelines.ingestion import create_pipeline as ingestion
from recunlearn.pipelines.poisoning import create_pipeline as poisoning
from recunlearn.pipelines.stream import create_pipeline
from recunlearn.pipelines.training import create_pipeline as training
from recunlearn.pipelines.unlearning import create_pipeline as unlearning
from recunlearn.unlearning import METHODS
from recunlearn.unlearning.stream_config import StreamConfig

from ..conftest import grid, run_pipeline, tiny_parameters
from ..evaluation.test_pipeline import REPORT_INPUTS

ONE_PER_FAMILY = ["retrain", "retrain_star", "ifru", "warm_start", "sisa", "laser"]
STREAM = {
    "enabled": False,
    "n_requests": 4,
    "request": {"kind": "user_wise", "selection": "rand", "user_count": 2},
    "checkpoints": [2, 4],
}


@pytest.fixture(scope="module")
def streamed():
    from ..conftest import raw_table

    cells = grid(["mf"], ONE_PER_FAMILY)
    stream = StreamConfig.model_validate(STREAM)
    report = unlearning(cells) + evaluation(cells, stream.model_copy(update={"enabled": True}))
    pipeline = (
        ingestion() + poisoning() + grouping() + training(cells) + create_pipeline(cells, stream)
    )
    params = tiny_parameters() | {"stream": STREAM}
    data = {"raw_ratings": raw_table(), "mf.tuning.best_params": {}, **REPORT_INPUTS}
    return run_pipeline(pipeline + report, data, params)


def test_every_family_answers_the_whole_stream_with_a_log_and_checkpoint_models(streamed):
    requests = streamed["stream_requests"]["request"].to_numpy()
    assert sorted(set(requests[requests >= 0])) == [0, 1, 2, 3]
    assert {f for m in ONE_PER_FAMILY[2:] for f in [METHODS[m].family]} == {
        "influence",
        "fine-tuning",
        "exact",
    }
    n_users = model_from_payload(streamed["mf.original.model"]).n_users
    for method in ONE_PER_FAMILY[2:]:
        log = streamed[f"mf.stream.{method}.request_log"]
        assert log["requests_done"].tolist() == [1, 2, 3, 4]
        assert np.all(np.diff(log["cumulative_seconds"]) > 0)
        at = [model_from_payload(streamed[f"mf.stream.{method}.model_at_{c}"]) for c in (2, 4)]
        assert [model.n_users for model in at] == [n_users, n_users]
        assert not all(  # the answer after 4 requests is not the one after 2
            torch.equal(a, b)
            for a, b in zip(at[0].state_dict().values(), at[1].state_dict().values(), strict=True)
        ), method
    assert streamed["mf.stream.sisa.request_log"]["shards_retrained"].min() >= 1


def test_retrain_is_matched_on_the_rows_left_at_each_checkpoint(streamed):
    table = streamed["stream_requests"]
    for count in (2, 4):
        log = streamed[f"mf.stream.retrain.log_at_{count}"]
        left = int(((table["request"] < 0) | (table["request"] >= count)).sum())
        assert log["requests_done"] == count and log["retain_rows"] == left
    assert "mf.stream.retrain_star.model_at_4" in streamed
    assert "mf.stream.retrain_star.model_at_2" not in streamed


def test_checkpoints_are_evaluated_against_the_matched_retrain_and_costed(streamed):
    metrics = streamed["rpt_stream_table_metrics_mf"]
    retrain = metrics[metrics["method"] == "retrain"]
    assert retrain["requests_done"].tolist() == [2, 4]
    assert np.allclose(retrain["pred_distance_forget"], 0.0)
    assert np.allclose(retrain["rbo@5"], 1.0)
    sisa = metrics[metrics["method"] == "sisa"]
    assert (sisa["pred_distance_forget"] > 0).all()  # an ensemble of shards, not Retrain
    amortised = streamed["rpt_stream_table_amortised_mf"].set_index("method")
    assert set(amortised.index) == set(ONE_PER_FAMILY[2:])
    assert amortised.loc[["sisa", "laser"], "retrain_now_at"].isna().all()  # exact: none
    star = metrics.query("method == 'retrain_star' and requests_done == 4")
    assert amortised["drift_reference"].iloc[0] == pytest.approx(
        star["pred_distance_forget"].iloc[0]
    )
    html = streamed["rpt_stream_html"]
    assert "Deletion requests as a stream" in html and "amortised_speedup" in html
    drift = streamed["rpt_stream_plot_drift_mf"]
    assert len(drift.data) == 6  # 4 methods, Retrain and Original
    assert "original (doing nothing)" in {trace.name for trace in drift.data}


def test_originals_distance_from_each_matched_retrain_is_the_do_nothing_reference(streamed):
    metrics = streamed["rpt_stream_table_metrics_mf"]
    original = metrics[metrics["method"] == "original"].set_index("requests_done")
    assert original.index.tolist() == [2, 4]
    assert np.allclose(original["pred_distance_forget"], original["pred_gap_forget"])
    assert (original["pred_distance_forget"] > 0).all()
    amortised = streamed["rpt_stream_table_amortised_mf"].set_index("method")
    for method in ("ifru", "warm_start"):
        drift = metrics[metrics["method"] == method].set_index("requests_done")
        worse = drift.index[drift["pred_distance_forget"] > original["pred_distance_forget"]]
        expected = float(worse[0]) if len(worse) else np.nan
        assert amortised.loc[method, "worse_than_original_at"] == pytest.approx(
            expected, nan_ok=True
        )
    assert amortised.loc[["sisa", "laser"], "worse_than_original_at"].isna().all()


def test_the_population_attack_runs_on_each_checkpoints_removed_rows(streamed):
    from recunlearn.audits.population import population_audit

    metrics = streamed["rpt_stream_table_metrics_mf"]
    assert metrics["population_auc"].between(0, 1).all()
    table, test = streamed["stream_requests"], streamed["prm_test"]
    original = model_from_payload(streamed["mf.original.model"])
    for count in (2, 4):
        here = metrics[metrics["requests_done"] == count].set_index("method")
        retrain = model_from_payload(streamed[f"mf.stream.retrain.model_at_{count}"])
        marked = table.drop(columns="request").assign(forget=table["request"].isin(range(count)))
        # whole-user requests: the non-members are the removed users' held-out rows
        removed_users = marked.loc[marked["forget"], "user"]
        candidates = test.loc[test["user"].isin(removed_users), ["user", "item", "label"]]
        alone = population_audit(
            original, {"retrain": retrain}, marked, test, 3, candidates.reset_index(drop=True)
        ).iloc[0]
        assert here.loc["retrain", "population_auc"] == pytest.approx(alone["population_auc"])
        assert here.loc["retrain", "population_members"] == alone["n_members"] > 0
        assert (here["population_auc_retrain"] == alone["population_auc"]).all()
    members = metrics.groupby("requests_done")["population_members"].first()
    assert members[4] > members[2]  # more rows removed, more members matched


def test_the_default_run_holds_the_stream_only_where_it_is_enabled():
    cells = grid(["mf"], ["retrain", "warm_start"])
    off = pipelines_for(cells, StreamConfig())
    on = pipelines_for(cells, StreamConfig(enabled=True))
    assert "stream_requests" in off["stream"].all_outputs()
    assert "stream_requests" not in off["__default__"].all_outputs()
    assert "stream_requests" in on["__default__"].all_outputs()
    pages = [
        next(n for n in run["__default__"].nodes if n.name == "build_html_report")
        for run in (on, off)
    ]
    assert "rpt_stream_table_cost_mf" in pages[0].inputs  # report.html waits for the stream
    assert "rpt_stream_table_cost_mf" not in pages[1].inputs
    names = {node.name for node in on["stream"].only_nodes_with_namespaces(["mf.stream"]).nodes}
    assert {
        "mf.stream.retrain_at_2",
        "mf.stream.retrain_at_8",
        "mf.stream.warm_start.answer",
    } <= names


def test_report_html_holds_the_stream_section_where_the_stream_is_enabled(streamed):
    page = streamed["rpt_report_html"]
    assert page.count("<section id='stream'>") == 1 and page.count("plotly.js v") == 1
    section = page[page.index("<section id='stream'>") :]
    assert "<h3>mf</h3>" in section and "worse_than_original_at" in section
    assert page.index('id="figure-auc"') < page.index("<section id='stream'>")


def test_the_stream_run_records_its_machine(streamed):
    machine = streamed["rpt_stream_machine"]
    assert (
        len(machine) == 1
        and machine["run_id"].iloc[0] == REPORT_INPUTS["run_provenance"]["session_id"]
    )
    seconds = streamed["rpt_stream_table_amortised_mf"]["stream_seconds"].sum()
    assert machine["stream_seconds"].iloc[0] == round(seconds, 2)
