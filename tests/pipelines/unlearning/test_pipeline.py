import pytest

from recunlearn.models import model_from_payload
from recunlearn.pipelines.grouping import create_pipeline as grouping
from recunlearn.pipelines.ingestion import create_pipeline as ingestion
from recunlearn.pipelines.poisoning import create_pipeline as poisoning
from recunlearn.pipelines.training import create_pipeline as training
from recunlearn.pipelines.unlearning import create_pipeline

from ..conftest import grid, run_pipeline, tiny_parameters


def test_unlearning_runs_every_registered_method_in_memory(raw_ratings):
    pipeline = (
        ingestion()
        + poisoning()
        + grouping()
        + training(grid(["mf"]))
        + create_pipeline(grid(["mf"]))
    )
    out = run_pipeline(pipeline, {"raw_ratings": raw_ratings, "mf.tuning.best_params": {}})
    model = model_from_payload(out["mf.retrain.model"])
    assert model.n_users == model_from_payload(out["mf.original.model"]).n_users
    assert out["mf.retrain.log"]["method"] == "retrain"
    assert out["mf.retrain.log"]["forget_rows"] == len(out["mi_forget"])


@pytest.mark.parametrize(
    ("executor", "stack", "logged"),
    [("inprocess", False, "inprocess"), ("inprocess", True, "inprocess, stacked")],
)
def test_sharded_methods_prepare_their_state_and_unlearn_from_it(
    raw_ratings, executor, stack, logged
):
    pipeline = (
        ingestion()
        + poisoning()
        + training(grid(["mf"]))
        + create_pipeline(grid(["mf"], ["retrain", "sisa", "receraser"]))
    )
    params = tiny_parameters()
    params["runtime"] = {
        "device": "cpu",
        "threads": 1,
        "executor": executor,
        "stack_shards": stack,
    }
    out = run_pipeline(pipeline, {"raw_ratings": raw_ratings, "mf.tuning.best_params": {}}, params)
    for method in ("sisa", "receraser"):
        log = out[f"mf.{method}.log"]
        assert log["shards"] == 3 and 1 <= log["shards_retrained"] <= 3
        assert log["executor"] == logged
        assert log["prepare_seconds"] == out[f"mf.{method}.state"]["config"]["seconds"]
        model = model_from_payload(out[f"mf.{method}.model"])
        assert model.n_users == model_from_payload(out["mf.original.model"]).n_users
    assert "aggregator_seconds" in out["mf.receraser.log"]


def test_exact_methods_learn_their_state_before_the_request(raw_ratings):
    pipeline = (
        ingestion()
        + poisoning()
        + grouping()
        + training(grid(["lightgcn"]))
        + create_pipeline(grid(["lightgcn"], ["retrain", "laser", "csisa"]))
    )
    prepare = {n.name for n in pipeline.nodes if n.name.endswith(".prepare")}
    assert prepare == {"lightgcn.laser.prepare", "lightgcn.csisa.prepare"}
    out = run_pipeline(pipeline, {"raw_ratings": raw_ratings, "lightgcn.tuning.best_params": {}})
    state = out["lightgcn.laser.state"]
    assert set(state) == {"config", "state_dict"}
    log = out["lightgcn.laser.log"]
    assert log["family"] == "exact" and log["prepare_seconds"] > 0
    assert 0 <= log["restart_stage"] < log["groups"]
    grouped = model_from_payload(out["lightgcn.csisa.model"])
    assert grouped.name == "grouped" and len(grouped.members) == out["lightgcn.csisa.log"]["groups"]
