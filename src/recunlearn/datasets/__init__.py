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
        "RawSideTableDataset": "raw_side_table",
        "TorchModelDataset": "torch_model",
    },
)

FILE_DATASETS = (
    "BenchmarkFiguresDataset",
    "OptionalCSVDataset",
    "OptionalJSONDataset",
    "TorchModelDataset",
)
"""The names of the project's datasets of saved files, whose ``load`` checks the file
(the preflight loads a run's inputs of these kinds before the first node)."""


def is_file_dataset(dataset: object) -> bool:
    """Whether ``dataset`` is one of :data:`FILE_DATASETS` (imports none of them)."""
    return type(dataset).__module__.startswith(__name__ + ".") and (
        type(dataset).__name__ in FILE_DATASETS
    )


__all__ = [
    "FILE_DATASETS",
    "is_file_dataset",
    "BenchmarkFiguresDataset",
    "OptionalCSVDataset",
    "OptionalJSONDataset",
    "RawRatingsDataset",
    "RawSideTableDataset",
    "TorchModelDataset",
]
