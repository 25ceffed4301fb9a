import plotly.graph_objects as go

from recunlearn.pipelines.ingestion import create_pipeline as ingestion
from recunlearn.pipelines.poisoning import create_pipeline as poisoning
from recunlearn.pipelines.training import create_pipeline as training
from recunlearn.pipelines.tuning import create_pipeline

from ..conftest import grid, run_pipeline, tiny_parameters


def test_tuning_runs_in_memory_and_training_uses_the_best_parameters(raw_ratings):
    pipeline = ingestion() + poisoning() + create_pipeline(grid(["mf"])) + training(grid(["mf"]))
    out = run_pipeline(pipeline, {"raw_ratings": raw_ratings})
    best = out["mf.tuning.best_params"]
    assert best["ran_here"] == 2 and best["params"]["lr"] in (0.05, 0.01)
    assert len(out["mf.tuning.trials"]) == 2
    assert isinstance(out["mf.tuning.history_plot"], go.Figure)
    assert isinstance(out["mf.tuning.importance_plot"], go.Figure)
    assert out["mf.original.train_config"]["lr"] == best["params"]["lr"]


def test_use_tuned_false_keeps_the_configured_parameters(raw_ratings):
    params = tiny_parameters()
    params["tuning"] = params["tuning"] | {"use_tuned": False}
    pipeline = ingestion() + poisoning() + create_pipeline(grid(["mf"])) + training(grid(["mf"]))
    out = run_pipeline(pipeline, {"raw_ratings": raw_ratings}, params)
    assert out["mf.original.train_config"]["lr"] == params["training.mf"]["lr"]


def test_training_without_any_tuning_run_uses_the_parameters(raw_ratings):
    pipeline = ingestion() + poisoning() + training(grid(["mf"]))
    out = run_pipeline(pipeline, {"raw_ratings": raw_ratings, "mf.tuning.best_params": {}})
    assert out["mf.original.train_config"]["lr"] == tiny_parameters()["training.mf"]["lr"]
