"""Custom Kedro datasets: raw rating files (with download) and torch models."""

from recunlearn.datasets.optional_json import OptionalJSONDataset
from recunlearn.datasets.raw_ratings import RawRatingsDataset
from recunlearn.datasets.torch_model import TorchModelDataset

__all__ = ["OptionalJSONDataset", "RawRatingsDataset", "TorchModelDataset"]
