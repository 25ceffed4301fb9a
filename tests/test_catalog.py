"""The catalog's interaction tables keep their dtypes through a save and a load, also
when a split or a deletion request has no row (a header-only CSV)."""

from pathlib import Path

import pandas as pd
import pytest
from kedro.io import DataCatalog

from recunlearn.data.metadata import empty_side_table
from recunlearn.parameters import IngestionConfig, PoisoningConfig
from recunlearn.pipelines.ingestion.nodes import split_dataset
from recunlearn.pipelines.poisoning.nodes import make_deletion_request

from .conftest import checkerboard, project_loader

CONF = Path(__file__).resolve().parents[1] / "conf"
ENVIRONMENTS = sorted(p.name for p in CONF.iterdir() if p.is_dir() and p.name != "local")


def tables() -> dict[str, pd.DataFrame]:
    """Every interaction table the pipelines save, from a 90/0/10 split (LASER's: no
    validation row) and a request with nothing to forget (empty D_r)."""
    interactions = checkerboard()
    ingestion = IngestionConfig(split={"fractions": (0.9, 0.0, 0.1)})
    train, valid, test, _ = split_dataset(interactions, ingestion, seed=0)
    marked, forget, retain, _ = make_deletion_request(
        train, interactions, empty_side_table("items"), PoisoningConfig(kind="none"), "ml-1m", 0
    )
    assert valid.empty and forget.empty  # the cases under test
    parts = {"train": train, "valid": valid, "test": test}
    return {
        "int_interactions": interactions,
        **{f"prm_{name}": frame for name, frame in parts.items()},
        **{"mi_train": marked, "mi_forget": forget, "mi_retain": retain},
    }


def saved_and_loaded(env: str, frames: dict[str, pd.DataFrame], root: Path, monkeypatch):
    """Each frame saved through ``env``'s catalog with data under ``root``, then loaded."""
    root.mkdir()
    monkeypatch.chdir(root)  # the catalog's data paths are relative
    config = project_loader(CONF, env)
    catalog = DataCatalog.from_config(config["catalog"])
    for name, frame in frames.items():
        catalog.save(name, frame)
    return {name: catalog.load(name) for name in frames}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_an_empty_table_loads_with_the_dtypes_of_a_full_one(env, tmp_path, monkeypatch):
    saved = tables()
    full = saved["mi_train"]  # every column any of the tables has
    empty = saved_and_loaded(env, saved, tmp_path / "as_saved", monkeypatch)
    filled = {name: full[frame.columns] for name, frame in saved.items()}
    loaded = saved_and_loaded(env, filled, tmp_path / "filled", monkeypatch)
    for name, frame in saved.items():
        assert list(empty[name].columns) == list(frame.columns), name
        assert empty[name].dtypes.to_dict() == loaded[name].dtypes.to_dict(), name
        assert all(pd.api.types.is_numeric_dtype(t) for t in empty[name].dtypes), name
