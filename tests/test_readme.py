"""What README.md and the pages of docs/ document exists and is accepted: their datasets,
the Kedro options, pipelines and parameters their commands use, the benchmark scripts and
options they name, the extras the set-up commands install, the environments."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

from recunlearn.data.raw_formats import dataset_spec
from recunlearn.grid import GridConfig
from recunlearn.parameter_tree import parameter_problems
from recunlearn.pipeline_registry import pipelines_for

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
DOC_PAGES = sorted((ROOT / "docs").rglob("*.md"))
DOCUMENTED = "\n".join([README, *(page.read_text() for page in DOC_PAGES)])
"""The README and every page of docs/: every command in them is checked here."""


def section(title: str, text: str = README) -> str:
    """``text``'s part under the ``## title`` heading, up to the next ``## `` heading."""
    start = text.index(f"\n## {title}")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def table_first_column(text: str) -> list[str]:
    """The first cell of every body row of the markdown tables in ``text``."""
    rows = [line for line in text.splitlines() if line.startswith("|")]
    cells = [row.split("|")[1].strip() for row in rows]
    return [c for c in cells if c and set(c) != {"-"} and c != "name"]


def readme_datasets() -> list[str]:
    """Every name of docs/datasets.md's table (``synthetic-<rows>`` is a pattern, not a
    name) and every ``dataset=<name>`` of a command in the README or docs/."""
    names = [
        token
        for cell in table_first_column((ROOT / "docs" / "datasets.md").read_text())
        for token in re.findall(r"`([^`]+)`", cell)
    ]
    names += re.findall(r"dataset=([\w.-]+)", DOCUMENTED)
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


def test_the_notebook_command_the_docs_give_is_installed_by_setup_command_1():
    assert "jupyter lab notebooks/report.ipynb" in (ROOT / "docs" / "report.md").read_text()
    assert (ROOT / "notebooks" / "report.ipynb").is_file()
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    packages = {re.split(r"[<>=\[ ]", spec)[0] for spec in extras["notebook"]}
    assert {"jupyterlab", "ipykernel"} <= packages


def readme_environments() -> set[str]:
    """Every ``--env <name>`` the README, docs/ and the environments' READMEs name."""
    texts = [DOCUMENTED, *(p.read_text() for p in (ROOT / "conf").glob("*/README.md"))]
    return {name for text in texts for name in re.findall(r"--env[ =]([\w-]+)", text)}


def test_every_environment_the_readme_documents_exists():
    documented = readme_environments()
    assert {"alteraser", "laser", "single_user", "test"} <= documented
    for name in documented:
        assert (ROOT / "conf" / name / "parameters.yml").is_file(), name


def test_the_readme_is_an_entry_page_with_one_table_of_pipelines_and_of_environments():
    assert len(README.splitlines()) <= 250
    pipelines = table_first_column(section("Pipelines"))
    assert pipelines[:2] == ["pipeline", "all"]  # the header, then `kedro run`
    named = [name for name in pipelines_for(base_grid()) if name != "__default__"]
    assert pipelines[2:] == named  # every pipeline, in order
    environments = {name.strip("`") for name in table_first_column(section("Environments"))}
    assert environments - {"environment"} == {p.parent.name for p in CONF.glob("*/parameters.yml")}


def base_grid() -> GridConfig:
    parameters = yaml.safe_load((CONF / "base" / "parameters.yml").read_text())
    return GridConfig.model_validate(parameters["grid"])


CONF = ROOT / "conf"


def commands(prefix: str) -> list[str]:
    """Every line (of a code block too) or inline code span of the README and docs/ that
    starts with ``prefix``."""
    prose = re.sub(r"```.*?```", "", DOCUMENTED, flags=re.S)
    spans = [" ".join(span.split()) for span in re.findall(r"`([^`]+)`", prose)]
    lines = [line.split(" #")[0].strip() for line in DOCUMENTED.splitlines()]
    found = [part.strip() for text in spans + lines for part in text.split("&")]
    return sorted({c for c in found if c.startswith(prefix)})


def test_every_documented_pipeline_exists():
    named = {
        name
        for command in commands("kedro run")
        for name in re.findall(r"--pipelines[= ]([\w,]+)", command)
    }
    assert {"tuning", "evaluation", "ingestion"} <= named
    assert named - set(pipelines_for(base_grid())) == set()


def params_of(command: str) -> dict:
    """The nested tree of a command's ``--params "a.b=v,c=w"`` (values as typed)."""
    match = re.search(r'--params[= ]"?([^"]+)"?', command)
    tree: dict = {}
    for pair in match.group(1).split(",") if match else []:
        key, value = pair.split("=", 1)
        *parents, leaf = key.strip().split(".")
        node = tree
        for name in parents:
            node = node.setdefault(name, {})
        node[leaf] = value
    return tree


def test_every_documented_parameter_override_is_accepted():
    overriding = [c for c in commands("kedro run") if "--params" in c] + commands("--params ")
    assert len(overriding) >= 6
    for command in [c for c in overriding if "<" not in c]:  # not a placeholder
        assert params_of(command) and parameter_problems(params_of(command)) == [], command


def test_every_documented_benchmark_script_exists_and_takes_its_documented_options():
    documented = commands("python benchmarks/")
    assert len(documented) >= 8
    for command in documented:
        script = ROOT / command.split()[1]
        assert script.is_file(), command
        source = script.read_text()
        for option in re.findall(r"(--[a-z][\w-]*)", command):
            assert f'"{option}"' in source, f"{command}: {option}"
