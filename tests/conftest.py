"""Shared fixtures: tiny synthetic interaction tables built in memory, never downloads."""

from __future__ import annotations

import os

os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "1")
os.environ.setdefault("PYTHONHASHSEED", "0")

from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from recunlearn.models import BACKBONE_SPECS  # noqa: E402
from recunlearn.models.config import TrainConfig  # noqa: E402

torch.set_num_threads(1)


def checkerboard(n_users: int = 24, n_items: int = 18, density: float = 0.6, seed: int = 0):
    """Observed rows of a checkerboard: user u likes item i iff u and i have the same parity.

    A known answer for every backbone: a model that learns the data ranks same-parity
    items above the others.
    """
    rng = np.random.default_rng(seed)
    users, items = np.meshgrid(np.arange(n_users), np.arange(n_items), indexing="ij")
    keep = rng.random(users.shape) < density
    frame = pd.DataFrame({"user": users[keep], "item": items[keep]})
    frame["label"] = (frame["user"] % 2 == frame["item"] % 2).astype("int8")
    frame["rating"] = np.where(frame["label"] == 1, 5.0, 1.0)
    frame["timestamp"] = np.arange(len(frame), dtype=float)
    return frame[["user", "item", "rating", "timestamp", "label"]]


@pytest.fixture
def interactions() -> pd.DataFrame:
    return checkerboard()


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(7)


@pytest.fixture(params=["cpu", pytest.param("cuda", marks=pytest.mark.gpu)])
def torch_device(request) -> str:
    """CPU always; CUDA only where present (skipped cleanly elsewhere)."""
    if request.param == "cuda" and not torch.cuda.is_available():
        pytest.skip("CUDA is not available")
    return request.param


def project_loader(conf_source, env: str, runtime_params: dict | None = None):
    """The project's own configuration loader for ``env`` (its class and arguments from
    ``recunlearn.settings``: soft-merged parameters), as ``kedro run --env`` builds it."""
    from recunlearn import settings

    return settings.CONFIG_LOADER_CLASS(
        str(conf_source), env=env, runtime_params=runtime_params, **settings.CONFIG_LOADER_ARGS
    )


def backbone_config(name: str, **values: Any) -> TrainConfig:
    """``values`` as backbone ``name``'s own config type, less the fields that only other
    backbones' types have (one toy setting serves several backbones); any other unknown
    name is still refused."""
    own_type = BACKBONE_SPECS[name].config_type
    every_field = {
        field for spec in BACKBONE_SPECS.values() for field in spec.config_type.model_fields
    }
    foreign = every_field - set(own_type.model_fields)
    return own_type(**{key: value for key, value in values.items() if key not in foreign})
