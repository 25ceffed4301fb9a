import pickle

import pytest
import torch
from kedro.io import DatasetError, Version

from recunlearn.datasets.torch_model import TorchModelDataset
from recunlearn.errors import DataValidationError
from recunlearn.models import build_backbone, model_from_payload, model_payload
from recunlearn.models.config import LightGCNConfig, TrainConfig

TINY = TrainConfig(embedding_dim=4, init_std=0.1)


def test_versioned_round_trip_keeps_earlier_versions(tmp_path, interactions):
    path = str(tmp_path / "model.pt")
    first = model_payload(
        build_backbone(
            "lightgcn",
            24,
            18,
            LightGCNConfig(embedding_dim=4, init_std=0.1, n_layers=1),
            interactions,
            torch.Generator().manual_seed(0),
        )
    )
    second = model_payload(
        build_backbone(
            "lightgcn",
            24,
            18,
            LightGCNConfig(embedding_dim=4, init_std=0.1, n_layers=1),
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


class Evil:
    def __reduce__(self):
        return (print, ("pwned",))


def load_failure(path) -> DataValidationError:
    """The project's error behind Kedro's wrapper when ``path`` loads."""
    with pytest.raises(DatasetError) as error:
        TorchModelDataset(str(path)).load()
    assert isinstance(error.value.__cause__, DataValidationError)
    return error.value.__cause__


def load_error(path) -> str:
    """The one line a bad file gives."""
    message = str(load_failure(path))
    assert "\n" not in message
    return message


def test_load_refuses_pickled_code(tmp_path):
    path = tmp_path / "model.pt"
    torch.save({"config": {}, "state_dict": {}, "x": Evil()}, path)
    assert load_error(path) == (
        f"{path}: refused, it holds pickled objects other than tensors and plain values "
        "(loaded with torch.load(weights_only=True))"
    )
    # the unpickling error stays the cause, for --verbose
    assert isinstance(load_failure(path).__cause__, pickle.UnpicklingError)


def test_a_truncated_file_is_named(tmp_path, interactions):
    path = tmp_path / "model.pt"
    torch.save(model_payload(build_backbone("mf", 24, 18, TINY, interactions)), path)
    path.write_bytes(path.read_bytes()[:300])
    assert load_error(path) == (
        f"{path}: truncated or not a torch file (RuntimeError: PytorchStreamReader failed "
        "reading zip archive: failed finding central directory)"
    )


def test_a_text_file_is_not_a_torch_file(tmp_path):
    path = tmp_path / "model.pt"
    path.write_text("user_embedding: [[0.1, 0.2]]\n")
    assert load_error(path).startswith(f"{path}: truncated or not a torch file (")


NOT_TENSORS = "is not a named tensor (or nested lists and dicts of tensors)"


def test_a_prepared_states_nested_tensors_load(tmp_path):
    """A prepared state's members are lists of state dicts: they load as saved."""
    path = tmp_path / "state.pt"
    nested = {"members": [{"w": torch.ones(2)}, {"w": torch.zeros(2)}], "aggregator": {}}
    torch.save({"config": {"kind": "sharded"}, "state_dict": nested}, path)
    loaded = TorchModelDataset(str(path)).load()["state_dict"]
    assert torch.equal(loaded["members"][1]["w"], torch.zeros(2)) and loaded["aggregator"] == {}


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        ([1, 2], "expected a dict with keys 'config' and 'state_dict', found list"),
        ({"config": {}}, "expected a dict with keys 'config' and 'state_dict', found ['config']"),
        ({"config": 1, "state_dict": {}}, "'config' is not a dict"),
        ({"config": {}, "state_dict": [1]}, "'state_dict' is not a dict"),
        ({"config": {}, "state_dict": {"w": 1.0}}, f"'state_dict' entry 'w' {NOT_TENSORS}"),
        ({"config": {}, "state_dict": {"m": [{"w": 1}]}}, f"'state_dict' entry 'm' {NOT_TENSORS}"),
    ],
)
def test_a_payload_of_another_layout_is_named(tmp_path, payload, problem):
    path = tmp_path / "model.pt"
    torch.save(payload, path)
    assert load_error(path) == f"{path}: {problem}"


def test_save_requires_config_and_state(tmp_path):
    with pytest.raises(DatasetError, match="'config' and 'state_dict'"):
        TorchModelDataset(str(tmp_path / "m.pt")).save({"weights": 1})
