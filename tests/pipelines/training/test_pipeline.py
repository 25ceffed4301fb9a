from recunlearn.models import model_from_payload
from recunlearn.pipelines.ingestion import create_pipeline as ingestion
from recunlearn.pipelines.poisoning import create_pipeline as poisoning
from recunlearn.pipelines.training import create_pipeline

from ..conftest import grid, run_pipeline


def test_training_runs_in_memory_for_every_backbone(raw_ratings):
    out = run_pipeline(
        ingestion() + poisoning() + create_pipeline(grid()),
        {
            "raw_ratings": raw_ratings,
            "mf.tuning.best_params": {},
            "lightgcn.tuning.best_params": {},
        },
    )
    for backbone in ("mf", "lightgcn"):
        model = model_from_payload(out[f"{backbone}.original.model"])
        assert model.name == backbone
        log = out[f"{backbone}.original.log"]
        assert log["device"] == "cpu" and log["threads"] == 1 and log["epochs"] >= 1
        assert log["seconds"] > 0


def test_default_pipeline_trains_only_the_base_grids_backbones():
    outputs = create_pipeline(grid()).all_outputs()
    trained = {name.split(".")[0] for name in outputs if name.endswith(".original.model")}
    assert trained == {"mf", "lightgcn"}  # conf/base/parameters.yml's grid.backbones


def test_training_runs_in_memory_for_the_laser_backbones(raw_ratings):
    out = run_pipeline(
        ingestion() + poisoning() + create_pipeline(grid(backbones=["dmf", "neumf"])),
        {"raw_ratings": raw_ratings, "dmf.tuning.best_params": {}, "neumf.tuning.best_params": {}},
    )
    for backbone in ("dmf", "neumf"):
        model = model_from_payload(out[f"{backbone}.original.model"])
        assert model.name == backbone and model.mlp_layers == [8, 4]
        assert out[f"{backbone}.original.train_config"]["mlp_layers"] == [8, 4]
        assert out[f"{backbone}.original.log"]["epochs"] >= 1
