"""Custom Kedro datasets: raw rating files (with download) and torch models."""

from recunlearn.datasets.benchmark_figures import BenchmarkFiguresDataset
from recunlearn.datasets.optional_csv import OptionalCSVDataset
from recunlearn.datasets.optional_json import OptionalJSONDataset
from recunlearn.datasets.raw_ratings import RawRatingsDataset
from recunlearn.datasets.torch_model import TorchModelDataset

FILE_DATASETS = (
    BenchmarkFiguresDataset,
    OptionalCSVDataset,
    OptionalJSONDataset,
    TorchModelDataset,
)
"""The project's datasets of saved files, whose ``load`` checks the file (the preflight
loads a run's inputs of these kinds before the first node)."""

__all__ = [
    "FILE_DATASETS",
    "BenchmarkFiguresDataset",
    "OptionalCSVDataset",
    "OptionalJSONDataset",
    "RawRatingsDataset",
    "TorchModelDataset",
]
