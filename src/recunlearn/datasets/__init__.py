"""Custom Kedro datasets: raw rating files (with download) and torch models.

Each dataset class is imported when the catalog first names it
(``recunlearn.lazy_imports``), so that loading the project imports none of them.
"""

from recunlearn.lazy_imports import lazy_exports

__getattr__ = lazy_exports(
    __name__,
    {
        "BenchmarkFiguresDataset": "benchmark_figures",
        "OptionalCSVDataset": "optional_csv",
        "OptionalJSONDataset": "optional_json",
        "RawRatingsDataset": "raw_ratings",
        "TorchModelDataset": "torch_model",
    },
)

__all__ = [
    "BenchmarkFiguresDataset",
    "OptionalCSVDataset",
    "OptionalJSONDataset",
    "RawRatingsDataset",
    "TorchModelDataset",
]
