"""What the README documents exists and is accepted: its datasets, the Kedro options its
commands use, the extras its set-up commands install, its environments."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from recunlearn.data.raw_formats import dataset_spec
from recunlearn.parameter_tree import parameter_problems

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def section(title: str) -> str:
    """The README's text under the ``## title`` heading, up to the next ``## `` heading."""
    start = README.index(f"\n## {title}")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def table_first_column(text: str) -> list[str]:
    """The first cell of every body row of the markdown tables in ``text``."""
    rows = [line for line in text.splitlines() if line.startswith("|")]
    cells = [row.split("|")[1].strip() for row in rows]
    return [c for c in cells if c and set(c) != {"-"} and c != "name"]


def readme_datasets() -> list[str]:
    """Every name of the dataset table (``synthetic-<rows>`` is a pattern, not a name)
    and every ``dataset=<name>`` of a README command."""
    names = [
        token
        for cell in table_first_column(section("Datasets"))
        for token in re.findall(r"`([^`]+)`", cell)
    ]
    names += re.findall(r"dataset=([\w.-]+)", README)
    return sorted({name for name in names if "<" not in name})


def test_every_dataset_the_readme_lists_is_accepted_by_the_parameter_check():
    names = readme_datasets()
    assert {"ml-100k", "ml-1m", "synthetic", "synthetic-1e6", "kuairec-binary"} <= set(names)
    for name in [*names, "synthetic-1e3"]:  # the example of a size
        assert parameter_problems({"dataset": name}) == [], name
        assert dataset_spec(name).name == name


def test_an_undocumented_dataset_is_refused_with_the_documented_choices():
    (problem,) = parameter_problems({"dataset": "ml-20m"})
    assert problem.startswith("dataset: unknown dataset 'ml-20m'; choose one of ")
    assert "ml-100k" in problem and "synthetic-<rows>" in problem


SINGULAR_PIPELINE = re.compile(r"--pipeline(?![s\w-])|pipeline_name=")
"""Kedro 1.x deprecates ``--pipeline`` (and ``KedroSession.run(pipeline_name=...)``)."""


def documented_files() -> list[Path]:
    """The README and every text file of docs/, notebooks/, benchmarks/, conf/, src/, tests/."""
    files = [ROOT / "README.md"]
    for folder in ("docs", "notebooks", "benchmarks", "conf", "src", "tests"):
        files += sorted(p for p in (ROOT / folder).rglob("*") if p.suffix in TEXT_SUFFIXES)
    return [p for p in files if p != Path(__file__).resolve()]


TEXT_SUFFIXES = {".md", ".py", ".ipynb", ".yml", ".yaml", ".toml", ".txt", ".sh"}


def test_no_command_uses_the_deprecated_singular_pipeline_option():
    files = documented_files()
    assert len(files) > 100 and ROOT / "notebooks" / "report.ipynb" in files
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in files
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if SINGULAR_PIPELINE.search(line)
    ]
    assert found == []


def setup_commands() -> list[str]:
    """The shell commands of the README's set-up section, one per fenced block."""
    return re.findall(r"```bash\n\s*(.+?)\n\s*```", section("Set-up"), flags=re.S)


def test_the_setup_commands_install_extras_that_exist():
    commands = setup_commands()
    assert len(commands) == 2
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    named = [re.findall(r'-e "?\.\[([\w,-]+)\]', command) for command in commands]
    assert named == [["notebook"], ["test"]]  # command 1 must install the notebook's needs
    for name in {extra for found in named for group in found for extra in group.split(",")}:
        assert name in extras, name


def test_the_notebook_command_the_readme_gives_is_installed_by_setup_command_1():
    assert "jupyter lab notebooks/report.ipynb" in README
    assert (ROOT / "notebooks" / "report.ipynb").is_file()
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    packages = {re.split(r"[<>=\[ ]", spec)[0] for spec in extras["notebook"]}
    assert {"jupyterlab", "ipykernel"} <= packages


def readme_environments() -> set[str]:
    """Every ``--env <name>`` the README (and the environments' READMEs) name."""
    texts = [README, *(p.read_text() for p in (ROOT / "conf").glob("*/README.md"))]
    return {name for text in texts for name in re.findall(r"--env[ =]([\w-]+)", text)}


def test_every_environment_the_readme_documents_exists():
    documented = readme_environments()
    assert {"alteraser", "laser", "single_user", "test"} <= documented
    for name in documented:
        assert (ROOT / "conf" / name / "parameters.yml").is_file(), name
