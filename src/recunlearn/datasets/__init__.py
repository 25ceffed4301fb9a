"""Custom Kedro datasets: raw rating files (with download) and torch models."""

from recunlearn.datasets.benchmark_figures import BenchmarkFiguresDataset
from recunlearn.datasets.optional_csv import OptionalCSVDataset
from recunlearn.datasets.optional_json import OptionalJSONDataset
from recunlearn.datasets.raw_ratings import RawRatingsDataset
from recunlearn.datasets.torch_model import TorchModelDataset

__all__ = [
    "BenchmarkFiguresDataset",
    "OptionalCSVDataset",
    "OptionalJSONDataset",
    "RawRatingsDataset",
    "TorchModelDataset",
]
