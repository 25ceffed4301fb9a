from kedro.validation import TypeExtractor

from recunlearn.models import BACKBONE_SPECS, model_from_payload
from recunlearn.models.config import LightGCNConfig, MFConfig
from recunlearn.pipelines.ingestion import create_pipeline as ingestion
from recunlearn.pipelines.poisoning import create_pipeline as poisoning
from recunlearn.pipelines.training import create_pipeline
from recunlearn.pipelines.training.nodes import resolve_train_config
from recunlearn.pipelines.tuning import create_pipeline as tuning
from recunlearn.runtime import RuntimeConfig
from recunlearn.tuning.config import TuningConfig

from ..conftest import grid, run_pipeline, typed_parameters


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


def test_each_backbone_block_reaches_its_nodes_as_the_backbones_own_type():
    """Kedro builds ``params:`` inputs from the node hints; ``bound`` narrows
    ``train_config`` per backbone, in the training and the tuning nodes alike."""
    backbones = sorted(BACKBONE_SPECS)
    pipelines = {
        "training": create_pipeline(grid(backbones, ["retrain"])),
        "tuning": tuning(grid(backbones, ["retrain"])),
    }
    hinted = TypeExtractor(pipelines).extract_types_from_pipelines()
    for backbone, spec in BACKBONE_SPECS.items():
        assert hinted[f"training.{backbone}"] is spec.config_type
    assert hinted["runtime"] is RuntimeConfig and hinted["tuning"] is TuningConfig
    assert resolve_train_config.__annotations__["train_config"] == "TrainConfig"  # untouched
    params = {"training.lightgcn": {"n_layers": 2}, "training.mf": {"lr": 0.5}}
    typed = typed_parameters(pipelines["training"], params)
    assert typed["training.lightgcn"] == LightGCNConfig(n_layers=2)
    assert typed["training.mf"] == MFConfig(lr=0.5)
