"""Every environment's parameters validate into the typed configs the nodes use.

Kedro replaces a whole top-level key per environment, so a block an environment
repeats (e.g. ``training`` in ``conf/alteraser``) must still match the code.
"""

from pathlib import Path

import pytest
from kedro.config import OmegaConfigLoader

from recunlearn import settings
from recunlearn.models import BACKBONES
from recunlearn.parameter_tree import parameter_problems
from recunlearn.parameters import EvaluationConfig, IngestionConfig, PoisoningConfig
from recunlearn.runtime import RuntimeConfig
from recunlearn.training import TrainConfig
from recunlearn.tuning.config import TuningConfig
from recunlearn.tuning.search_space import validate_space
from recunlearn.unlearning import METHODS

CONF = Path(__file__).resolve().parents[1] / "conf"
ENVIRONMENTS = sorted(p.name for p in CONF.iterdir() if p.is_dir() and p.name not in ("local",))


def parameters(env: str) -> dict:
    loader = OmegaConfigLoader(str(CONF), base_env="base", default_run_env=env)
    return loader["parameters"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_step_validates(env):
    params = parameters(env)
    IngestionConfig.model_validate(params["ingestion"])
    PoisoningConfig.model_validate(params["poisoning"])
    EvaluationConfig.model_validate(params["evaluation"])
    RuntimeConfig.model_validate(params["runtime"])
    TuningConfig.model_validate(params["tuning"])
    assert set(params["grid"]["backbones"]) <= set(params["training"]) <= set(BACKBONES)
    for values in params["training"].values():
        TrainConfig.model_validate(values)


def test_base_configures_and_tunes_every_registered_backbone():
    params = parameters("base")
    assert set(params["training"]) == set(BACKBONES)
    assert set(params["tuning"]["spaces"]) == set(BACKBONES)
    for name, space in params["tuning"]["spaces"].items():
        validate_space(space, f"tuning.spaces.{name}")


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_whole_tree_passes_the_check_made_before_every_run(env):
    assert parameter_problems(parameters(env)) == []


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_unlearning_block_names_a_registered_method(env):
    methods = parameters(env)["unlearning"]
    assert set(methods) == set(METHODS)
    for name, values in methods.items():
        METHODS[name](values)


def test_alteraser_environment_runs_the_base_methods_unchanged():
    assert parameters("alteraser")["unlearning"] == parameters("base")["unlearning"]


def run_parameters(env: str | None, runtime_params: dict) -> dict:
    """The parameters ``kedro run [--env env] --params ...`` gets (the project's loader)."""
    loader = settings.CONFIG_LOADER_CLASS(
        str(CONF), env=env, runtime_params=runtime_params, **settings.CONFIG_LOADER_ARGS
    )
    return loader["parameters"]


@pytest.mark.parametrize("env", [None, *ENVIRONMENTS])
def test_params_change_only_the_leaves_they_name(env):
    """``--params unlearning.laser.epochs=2`` under an environment without an
    ``unlearning`` block once replaced base's whole block with that one value."""
    expected = run_parameters(env, {})
    expected["unlearning"]["laser"]["epochs"] = 2
    expected["poisoning"]["selection"] = "top"
    override = {"unlearning": {"laser": {"epochs": 2}}, "poisoning": {"selection": "top"}}
    assert run_parameters(env, override) == expected


def test_every_tuning_storage_lies_in_the_environments_data_root():
    for env in ENVIRONMENTS:
        loader = OmegaConfigLoader(str(CONF), base_env="base", default_run_env=env)
        root = loader["globals"]["data"]
        assert parameters(env)["tuning"]["storage"] == f"sqlite:///{root}/04_feature/optuna.db"
