"""In-memory pipeline runs on tiny synthetic data (no files, no Kedro session)."""

from __future__ import annotations

import tempfile
from typing import Any

import pandas as pd
import pytest
from kedro.io import DataCatalog, MemoryDataset
from kedro.pipeline import Pipeline
from kedro.runner import SequentialRunner
from kedro.validation import ParameterValidator

from recunlearn.grid import GridConfig
from recunlearn.pipelines.grid import base_grid

from ..conftest import checkerboard

TINY_TRAINING = {
    "embedding_dim": 8,
    "init_std": 0.1,
    "lr": 0.05,
    "l2": 0.0,
    "batch_size": 64,
    "max_epochs": 8,
    "patience": 3,
    "min_delta": 0.0001,
}
TINY_GRAPH = TINY_TRAINING | {"n_layers": 1}
TINY_NEURAL = TINY_TRAINING | {"mlp_layers": [8, 4]}
"""DMF / NeuMF at toy size: two small MLP layers instead of LASER's (64, 32)."""


def grid(backbones: list[str] | None = None, methods: list[str] | None = None) -> GridConfig:
    """The base configuration's grid (``conf/base``), restricted to ``backbones`` /
    ``methods`` where given."""
    base = base_grid()
    return GridConfig(
        backbones=base.backbones if backbones is None else backbones,
        methods=base.methods if methods is None else methods,
    )


def tiny_parameters() -> dict[str, Any]:
    """Every ``params:`` entry the pipelines read, at toy size (a fresh study storage)."""
    storage = f"sqlite:///{tempfile.mkdtemp(prefix='recunlearn-optuna-')}/optuna.db"
    space = {"lr": {"type": "categorical", "choices": [0.05, 0.01]}}
    return {
        "seed": 3,
        "dataset": "ml-1m",
        "runtime": {"device": "cpu", "threads": 1, "executor": "inprocess", "workers": 1},
        "ingestion": {
            "label_threshold": None,
            "k_core": 2,
            "split": {"strategy": "random", "fractions": [0.6, 0.2, 0.2]},
        },
        "poisoning": {
            "kind": "label_flip",
            "ratio": 0.05,
            "n_users": 3,
            "percent": 10.0,
            "selection": "rand",
        },
        "training.mf": dict(TINY_TRAINING),
        "training.lightgcn": dict(TINY_GRAPH),
        "training.dmf": dict(TINY_NEURAL),
        "training.neumf": dict(TINY_NEURAL),
        "unlearning.retrain": {"seed_key": ""},
        "unlearning.ifru": {"solver": "cg", "damping": 0.01, "max_iter": 50},
        "unlearning.ifru_gn": {"solver": "cg", "damping": 1.0, "max_iter": 50},
        "unlearning.scif": {"solver": "cg", "damping": 0.01, "max_iter": 50},
        "unlearning.scif_gn": {"solver": "cg", "damping": 1.0, "max_iter": 50},
        "unlearning.retrain_star": {"seed_key": "star"},
        "unlearning.warm_start": {},
        "unlearning.alteraser_ah": {"max_passes": 2},
        "unlearning.alteraser_hf": {"max_passes": 2},
        "unlearning.alteraser_adamw": {"max_passes": 2},
        "unlearning.sisa": {"shards": 3, "epochs": 3},
        "unlearning.receraser": {"shards": 3, "epochs": 3, "aggregator_epochs": 2},
        "unlearning.laser": {"epochs": 2},
        "unlearning.laser_rand": {"grouping": "rand", "epochs": 2},
        "unlearning.laser_bkm": {"grouping": "bkm", "epochs": 2},
        "unlearning.laser_anti": {"order": "hard_to_easy", "epochs": 2},
        "unlearning.csisa": {"epochs": 2},
        "evaluation": {"ks": [5, 10], "rbo_p": 0.9},
        "audits": {"population": True, "k": 5, "lira": {"references": 0}},
        "grouping": {
            "n_groups": 3,
            "hypergraph": {"order": 4},
            "walks": {"repetitions": 4, "depth": 8},
            "word2vec": {"vector_size": 8, "window": 3, "epochs": 5},
            "kmeans": {"max_iter": 20},
        },
        "tuning": {
            "storage": storage,
            "n_trials": {"default": 2},
            "max_epochs": 3,
            "pruner_warmup": 1,
            "use_tuned": True,
            "spaces": {name: space for name in ("mf", "lightgcn", "dmf", "neumf")},
        },
    }


def raw_table() -> pd.DataFrame:
    """A standard raw rating table like the loaders return, from the checkerboard."""
    frame = checkerboard(n_users=30, n_items=20, density=0.7, seed=1)
    raw = pd.DataFrame(
        {
            "user": "u" + frame["user"].astype(str),
            "item": "i" + frame["item"].astype(str),
            "rating": frame["rating"],
            "timestamp": frame["timestamp"],
        }
    )
    raw.attrs["dataset"] = "ml-1m"
    return raw


def raw_side_tables(n_users: int = 30, n_items: int = 20) -> dict[str, pd.DataFrame]:
    """``raw_items`` / ``raw_users`` for :func:`raw_table`'s tokens: item i of genre
    Horror, Comedy or Drama by i mod 3 (and Drama too when i is even); user u F when u is
    even, aged 15 + 2u."""
    names = ["Horror", "Comedy", "Drama"]
    items = [(f"i{i}", names[i % 3]) for i in range(n_items)]
    items += [(f"i{i}", "Drama") for i in range(0, n_items, 2) if i % 3 != 2]
    users = {
        "user": [f"u{u}" for u in range(n_users)],
        "age": [15 + 2 * u for u in range(n_users)],
        "gender": ["F" if u % 2 == 0 else "M" for u in range(n_users)],
    }
    return {
        "raw_items": pd.DataFrame(items, columns=["item", "genre"]),
        "raw_users": pd.DataFrame(users),
    }


def typed_parameters(pipeline: Pipeline, params: dict[str, Any]) -> dict[str, Any]:
    """``params`` (keyed by dotted path) as a ``kedro run`` gives them to the nodes:
    built by Kedro's parameter validation from the type hints of ``pipeline``'s nodes."""
    nested: dict[str, Any] = {}
    for path, value in params.items():
        *parents, leaf = path.split(".")
        block = nested
        for parent in parents:
            block = block.setdefault(parent, {})
        block[leaf] = value
    validated = ParameterValidator({"__default__": pipeline}).validate_raw_params(nested)
    typed = {}
    for path in params:
        value = validated
        for part in path.split("."):
            value = value[part]
        typed[path] = value
    return typed


class KeptMemoryDataset(MemoryDataset):
    """A memory dataset the runner cannot release, so tests can read intermediates."""

    def _release(self) -> None:
        pass


def run_pipeline(
    pipeline: Pipeline,
    data: dict[str, Any],
    params: dict[str, Any] | None = None,
    outputs: dict[str, KeptMemoryDataset] | None = None,
) -> dict[str, Any]:
    """Run ``pipeline`` with in-memory inputs; return every dataset it produced, loaded.

    The side tables default to :func:`raw_side_tables`. ``outputs``, when given, receives the output datasets before the run, so a test can
    see what a failed run left behind.
    """
    catalog = DataCatalog()
    for name, value in typed_parameters(pipeline, params or tiny_parameters()).items():
        catalog[f"params:{name}"] = value
    for name, value in (raw_side_tables() | data).items():
        catalog[name] = value
    for name in pipeline.all_outputs():
        catalog[name] = KeptMemoryDataset()
        if outputs is not None:
            outputs[name] = catalog[name]
    SequentialRunner().run(pipeline, catalog)
    return {name: catalog.load(name) for name in pipeline.all_outputs()}


@pytest.fixture
def raw_ratings() -> pd.DataFrame:
    return raw_table()
