"""Every environment's parameters validate into the typed configs the nodes use.

An environment's parameters are soft-merged over base (``settings.CONFIG_LOADER_ARGS``):
it states only the leaves that differ, and the merged tree must still match the code.
"""

from pathlib import Path

import pytest

from recunlearn import settings
from recunlearn.models import BACKBONE_SPECS, BACKBONES
from recunlearn.parameter_tree import parameter_problems
from recunlearn.parameters import EvaluationConfig, IngestionConfig, PoisoningConfig
from recunlearn.runtime import RuntimeConfig
from recunlearn.tuning.config import TuningConfig
from recunlearn.tuning.search_space import validate_space
from recunlearn.unlearning import METHODS

from .conftest import project_loader

CONF = Path(__file__).resolve().parents[1] / "conf"
ENVIRONMENTS = sorted(p.name for p in CONF.iterdir() if p.is_dir() and p.name not in ("local",))


def parameters(env: str) -> dict:
    loader = project_loader(CONF, env)
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
    for name, values in params["training"].items():
        BACKBONE_SPECS[name].config_type.model_validate(values)


def test_base_configures_and_tunes_every_registered_backbone():
    params = parameters("base")
    assert set(params["training"]) == set(BACKBONES)
    assert set(params["tuning"]["spaces"]) == set(BACKBONES)
    for name, space in params["tuning"]["spaces"].items():
        validate_space(space, name)


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
        loader = project_loader(CONF, env)
        root = loader["globals"]["data"]
        assert parameters(env)["tuning"]["storage"] == f"sqlite:///{root}/04_feature/optuna.db"


def leaves(tree: dict, path: tuple = ()):
    """(dotted path, value) of every leaf of a nested mapping (lists and search-space
    specs, ``{type: ...}``, are leaves)."""
    for key, value in tree.items():
        if isinstance(value, dict) and value and "type" not in value:
            yield from leaves(value, (*path, key))
        else:
            yield ".".join(map(str, (*path, key))), value


@pytest.mark.parametrize("env", [e for e in ENVIRONMENTS if e != "base"])
def test_environments_state_only_what_differs_from_base(env):
    """Parameters are soft-merged over base, so a value an environment repeats from base
    is noise (and a trap: changing base would no longer reach it)."""
    import yaml

    base = dict(leaves(parameters("base")))
    for path in sorted((CONF / env).glob("parameters*.yml")):
        stated = yaml.safe_load(path.read_text()) or {}
        for name, value in leaves(stated):
            assert base.get(name, "<absent>") != value, f"{path.name}: {name} repeats base"


def test_an_environment_inherits_every_leaf_it_does_not_state():
    laser, base = parameters("laser"), parameters("base")
    assert laser["training"]["dmf"]["mlp_layers"] == base["training"]["dmf"]["mlp_layers"]
    assert laser["training"]["dmf"]["max_epochs"] == 50  # the one leaf laser states
    assert laser["ingestion"]["k_core"] == base["ingestion"]["k_core"]
    assert laser["tuning"]["storage"] == "sqlite:///data/laser/04_feature/optuna.db"
