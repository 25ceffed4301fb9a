import pickle

import pytest
import torch
from kedro.io import DatasetError, Version

from recunlearn.datasets.torch_model import TorchModelDataset
from recunlearn.models import build_backbone, model_from_payload, model_payload
from recunlearn.training import TrainConfig


def test_versioned_round_trip_keeps_earlier_versions(tmp_path, interactions):
    path = str(tmp_path / "model.pt")
    first = model_payload(
        build_backbone(
            "lightgcn",
            24,
            18,
            TrainConfig(embedding_dim=4, init_std=0.1, n_layers=1),
            interactions,
            torch.Generator().manual_seed(0),
        )
    )
    second = model_payload(
        build_backbone(
            "lightgcn",
            24,
            18,
            TrainConfig(embedding_dim=4, init_std=0.1, n_layers=1),
            interactions,
            torch.Generator().manual_seed(1),
        )
    )
    TorchModelDataset(path, Version(None, "2026-01-01T00.00.00.000Z")).save(first)
    TorchModelDataset(path, Version(None, "2026-01-02T00.00.00.000Z")).save(second)
    latest = TorchModelDataset(path, Version(None, None)).load()
    older = TorchModelDataset(path, Version("2026-01-01T00.00.00.000Z", None)).load()
    assert torch.equal(
        latest["state_dict"]["user_embedding"], second["state_dict"]["user_embedding"]
    )
    assert torch.equal(older["state_dict"]["user_embedding"], first["state_dict"]["user_embedding"])
    restored = model_from_payload(latest)
    assert restored.config() == second["config"]


def test_load_refuses_pickled_code(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    path = tmp_path / "model.pt"
    torch.save({"config": {}, "state_dict": {}, "x": Evil()}, path)
    with pytest.raises(DatasetError) as error:
        TorchModelDataset(str(path)).load()
    assert isinstance(error.value.__cause__, pickle.UnpicklingError)


def test_save_requires_config_and_state(tmp_path):
    with pytest.raises(DatasetError, match="'config' and 'state_dict'"):
        TorchModelDataset(str(tmp_path / "m.pt")).save({"weights": 1})
