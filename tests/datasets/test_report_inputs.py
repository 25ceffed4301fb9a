import matplotlib.pyplot as plt
import pandas as pd
import pytest
from kedro.io import DatasetError, Version
from kedro_datasets.matplotlib import MatplotlibDataset

from recunlearn.datasets import BenchmarkFiguresDataset, OptionalCSVDataset, OptionalJSONDataset
from recunlearn.errors import DataValidationError

VERSION = "2026-01-01T00.00.00.000Z"


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


def saved_file(folder, name: str, content: bytes):
    """``content`` saved as version VERSION of the versioned file ``folder/name``."""
    path = folder / name / VERSION / name
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    return path


def project_error(dataset) -> str:
    with pytest.raises(DatasetError) as error:
        dataset.load()
    assert isinstance(error.value.__cause__, DataValidationError)
    return str(error.value.__cause__)


def test_a_malformed_optional_csv_is_one_line_naming_it(tmp_path):
    path = saved_file(tmp_path, "seeds.csv", b"model,std\nifru,0.1\nscif,0.2,extra\n")
    dataset = OptionalCSVDataset(filepath=str(tmp_path / "seeds.csv"), version=Version(None, None))
    assert project_error(dataset) == (
        f"{path}: not a readable CSV table (ParserError: Error tokenizing data. "
        "C error: Expected 2 fields in line 3, saw 3)"
    )


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b'{"lr": 0.01', "not valid JSON (JSONDecodeError: Expecting ',' delimiter: line 1"),
        (b"[0.01]", "expected a JSON object, found list"),
    ],
)
def test_a_malformed_optional_json_is_one_line_naming_it(tmp_path, content, problem):
    path = saved_file(tmp_path, "best.json", content)
    dataset = OptionalJSONDataset(filepath=str(tmp_path / "best.json"), version=Version(None, None))
    assert project_error(dataset).startswith(f"{path}: {problem}")


def test_a_benchmark_figure_that_is_not_a_png_is_one_line_naming_it(tmp_path):
    path = saved_file(tmp_path, "ifru_ratio.png", b"<html>not a figure</html>")
    dataset = BenchmarkFiguresDataset(folder=str(tmp_path))
    assert dataset.exists()
    assert project_error(dataset) == f"{path}: not a PNG image (no PNG signature)"
