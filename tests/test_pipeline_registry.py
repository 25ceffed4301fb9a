"""kedro-viz reads the DAG top to bottom by layer and filters it by step: every catalog
entry (dataset or factory) of every environment declares its data layer, and every node of
every registered pipeline carries its step's tag."""

from pathlib import Path

import pytest
import yaml
from kedro.io import DataCatalog

from recunlearn.grid import GridConfig
from recunlearn.pipeline_registry import pipelines_for

from .conftest import project_loader

CONF = Path(__file__).resolve().parents[1] / "conf"
LAYERS = {
    "raw",
    "intermediate",
    "primary",
    "feature",
    "model input",
    "models",
    "model output",
    "reporting",
}
CATALOGS = sorted(CONF.glob("*/catalog*.yml"))


def entries(path: Path) -> dict[str, dict]:
    """The catalog's entries (keys starting with ``_`` are YAML anchors, not datasets)."""
    return {k: v for k, v in yaml.safe_load(path.read_text()).items() if not k.startswith("_")}


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_catalog_entry_declares_its_layer(path):
    missing = {
        name: entry.get("metadata", {}).get("kedro-viz", {}).get("layer")
        for name, entry in entries(path).items()
    }
    assert {name: layer for name, layer in missing.items() if layer not in LAYERS} == {}


def test_the_catalogs_are_found_and_factories_are_among_the_entries():
    base = entries(CONF / "base" / "catalog.yml")
    assert "{backbone}.{model}.model" in base and len(base) > 30


def test_every_node_of_every_pipeline_carries_its_steps_tag():
    pipelines = pipelines_for(GridConfig.model_validate(grid_of_base()))
    steps = [name for name in pipelines if name != "__default__"]
    assert sorted(steps) == sorted(
        ["ingestion", "poisoning", "grouping", "tuning", "training", "unlearning"]
        + ["evaluation", "audits", "stream", "results"]
    )
    for step in steps:
        untagged = [node.name for node in pipelines[step].nodes if step not in node.tags]
        assert untagged == [], step
    every = pipelines["__default__"].nodes
    assert all(len(set(steps) & node.tags) == 1 for node in every)
    assert not [node for node in every if "results" in node.tags]  # run on its own only


def grid_of_base() -> dict:
    return yaml.safe_load((CONF / "base" / "parameters.yml").read_text())["grid"]


ENVIRONMENTS = sorted(p.parent.name for p in CONF.glob("*/parameters.yml"))


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_dataset_the_pipelines_use_is_built_from_its_entry_with_its_layer(env):
    """A dataset class must accept the ``metadata`` its entry gives (kedro-viz's layer)."""
    catalog = DataCatalog.from_config(project_loader(CONF, env)["catalog"])
    names = pipelines_for(GridConfig.model_validate(grid_of_base()))["__default__"].datasets()
    names |= pipelines_for(GridConfig.model_validate(grid_of_base()))["results"].datasets()
    built = [catalog.get(name) for name in sorted(names) if not name.startswith("params:")]
    entries = [d for d in built if d is not None and getattr(d, "metadata", None)]
    assert len(entries) > 30
    assert all(d.metadata["kedro-viz"]["layer"] in LAYERS for d in entries)
