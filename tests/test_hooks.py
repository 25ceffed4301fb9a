"""The parameter hook checks the merged configuration (files and ``--params``)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from recunlearn.errors import ParameterError
from recunlearn.hooks import GridHook, ParameterTreeHook, PreflightHook, ProvenanceHook
from recunlearn.pipelines.grid import active_grid, active_stream, base_grid
from recunlearn.settings import HOOKS

from .conftest import project_loader

CONF = Path(__file__).resolve().parents[1] / "conf"


def context(runtime_params: dict | None = None, env: str = "test") -> SimpleNamespace:
    """What the hook reads from a Kedro context: its configuration loader."""
    loader = project_loader(CONF, env, runtime_params)
    return SimpleNamespace(config_loader=loader)


def test_the_project_registers_the_hooks():
    assert [type(hook) for hook in HOOKS] == [
        ParameterTreeHook,
        GridHook,
        PreflightHook,
        ProvenanceHook,
    ]


def test_the_grid_hook_reads_the_environments_grid():
    GridHook().after_context_created(context(env="laser"))
    try:
        assert active_grid().backbones == ["dmf", "neumf"]
        assert "laser_anti" in active_grid().methods
    finally:
        GridHook().after_context_created(context(env="test"))  # base's grid
    assert active_grid() == base_grid()
    assert active_grid().backbones == ["mf", "lightgcn"]


def test_the_grid_hook_shapes_the_stream_from_the_environment_and_names_a_bad_block():
    GridHook().after_context_created(context({"stream": {"checkpoints": [3, 5]}}, env="stream"))
    try:
        assert active_stream().enabled and active_stream().checkpoint_counts() == [3, 5]
        with pytest.raises(ParameterError, match=r"^invalid parameter stream: stream\.checkpo"):
            GridHook().after_context_created(context({"stream": {"checkpoints": [9]}}))
    finally:
        GridHook().after_context_created(context(env="test"))
    assert not active_stream().enabled


def test_pipelines_built_before_the_context_are_rebuilt_from_its_grid():
    from kedro.framework.project import pipelines

    def trained() -> set[str]:
        outputs = pipelines["training"].all_outputs()
        return {name.split(".")[0] for name in outputs if name.endswith(".original.model")}

    pipelines.configure("recunlearn.pipeline_registry")
    try:
        assert trained() == {"mf", "lightgcn"}  # asked for first, from conf/base's grid
        GridHook().after_context_created(context(env="laser"))
        assert trained() == {"dmf", "neumf"}
    finally:
        GridHook().after_context_created(context(env="test"))
        pipelines.configure(None)


def test_the_shipped_configuration_passes():
    ParameterTreeHook().after_context_created(context(env="test"))


def test_a_runtime_parameter_is_checked_with_the_files():
    with pytest.raises(ParameterError, match=r"^invalid parameter unlearning\.ifru\.solver: "):
        ParameterTreeHook().after_context_created(
            context({"unlearning": {"ifru": {"solver": "foo"}}})
        )


def test_a_misspelt_runtime_key_is_refused():
    with pytest.raises(ParameterError, match=r"unlearning\.foo: unknown name; valid names"):
        ParameterTreeHook().after_context_created(context({"unlearning": {"foo": {"x": 1}}}))
