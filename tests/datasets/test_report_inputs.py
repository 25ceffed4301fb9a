import matplotlib.pyplot as plt
import pandas as pd
import pytest
from kedro.io import DatasetError, Version
from kedro_datasets.matplotlib import MatplotlibDataset

from recunlearn.datasets import BenchmarkFiguresDataset, OptionalCSVDataset


def test_optional_csv_is_empty_until_a_benchmark_writes_it(tmp_path):
    dataset = OptionalCSVDataset(filepath=str(tmp_path / "seeds.csv"))
    assert dataset.load().empty
    dataset.save(pd.DataFrame({"std": [0.01]}))
    assert dataset.load()["std"].tolist() == [0.01]


def save_figure(folder, name, version, colour):
    figure, axes = plt.subplots()
    axes.plot([0, 1], color=colour)

    MatplotlibDataset(filepath=str(folder / f"{name}.png"), version=Version(None, version)).save(
        figure
    )
    plt.close(figure)


def test_benchmark_figures_are_the_latest_version_of_each_png(tmp_path):
    save_figure(tmp_path, "ifru_ratio", "2026-01-01T00.00.00.000Z", "red")
    save_figure(tmp_path, "ifru_ratio", "2026-02-01T00.00.00.000Z", "blue")
    save_figure(tmp_path, "laser_fig4", "2026-01-05T00.00.00.000Z", "green")
    (tmp_path / "seeds.csv").mkdir()  # a table, not a figure
    figures = BenchmarkFiguresDataset(folder=str(tmp_path)).load()
    assert sorted(figures) == ["ifru_ratio", "laser_fig4"]
    latest = tmp_path / "ifru_ratio.png" / "2026-02-01T00.00.00.000Z" / "ifru_ratio.png"
    assert figures["ifru_ratio"]["version"] == "2026-02-01T00.00.00.000Z"
    assert figures["ifru_ratio"]["png"] == latest.read_bytes()


def test_no_benchmark_folder_means_no_figures_and_saving_is_refused(tmp_path):
    dataset = BenchmarkFiguresDataset(folder=str(tmp_path / "missing"))
    assert dataset.load() == {}
    with pytest.raises(DatasetError):
        dataset.save({})
