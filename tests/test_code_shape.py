"""Project-wide checks: lint is clean, the core never imports Kedro, imports only go down."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = [
    "data",
    "models",
    "training",
    "unlearning",
    "evaluation",
    "audits",
    "predictions",
    "report",
    "grouping",
    "execution",
    "influence",
    "tuning",
    "grid.py",
    "seeding.py",
    "runtime.py",
    "parameters.py",
    "parameter_tree.py",
    "preflight.py",
    "run_options.py",
    "errors.py",
]


def test_ruff_is_clean():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "src", "tests", "benchmarks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout


def test_core_never_imports_kedro_nor_opens_files():
    package = ROOT / "src" / "recunlearn"
    for entry in CORE:
        files = (
            [package / entry] if entry.endswith(".py") else sorted((package / entry).rglob("*.py"))
        )
        for path in files:
            text = path.read_text()
            assert "import kedro" not in text and "from kedro" not in text, path
            assert "open(" not in text, path


# The layers of src/recunlearn, lowest first. A module may import from its own part
# (package or top-level module) and from the parts of lower layers, never from a part
# beside it in its own layer or above it.
LAYERS = [
    {"errors", "seeding", "progress", "lazy_imports"},
    {"data", "execution", "run_options"},
    {"models", "runtime"},
    {"predictions", "parameters"},
    {"training"},
    {"influence", "grouping"},
    {"unlearning"},
    {"evaluation", "tuning", "grid"},
    {"audits"},
    {"report", "parameter_tree", "preflight"},
    {"datasets", "cli"},
    {"pipelines"},
    {"hooks", "pipeline_registry", "__main__"},
    {"settings"},
]
FAMILIES = ("influence", "finetune", "exact")
"""Rooms of ``unlearning/``: none imports another; the interface imports none of them."""
PACKAGE = ROOT / "src" / "recunlearn"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """Every ``recunlearn`` module ``path`` imports, at any depth (lazy imports too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found.update(n for n in names if n.split(".")[0] == "recunlearn")
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of the package it imports (names that are not modules dropped)."""
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {m: {d for d in imported_modules(p) if d in files and d != m} for m, p in files.items()}


def part(module: str) -> str:
    return module.split(".")[1] if "." in module else module


def layer(module: str) -> int:
    name = part(module)
    matches = [i for i, names in enumerate(LAYERS) if name in names]
    assert matches, f"{name} is in no layer of LAYERS: place it"
    return matches[0]


def test_imports_only_go_down_the_layers():
    upward = [
        f"{m} -> {d}"
        for m, deps in import_graph().items()
        for d in deps
        if part(d) != part(m) and layer(d) >= layer(m)
    ]
    assert not upward, "imports that do not go down a layer:\n" + "\n".join(sorted(upward))


def family(module: str) -> str | None:
    parts = module.split(".")
    return (
        parts[2] if len(parts) > 3 and parts[1] == "unlearning" and parts[2] in FAMILIES else None
    )


def test_the_families_of_unlearning_import_neither_each_other_nor_the_registry():
    crossing = [
        f"{m} -> {d}"
        for m, deps in import_graph().items()
        if part(m) == "unlearning" and m != "recunlearn.unlearning"
        for d in deps
        if part(d) == "unlearning"
        and (d == "recunlearn.unlearning" or family(d) not in {None, family(m)})
    ]
    assert not crossing, "\n".join(sorted(crossing))


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while (w := stack.pop()) != v:
                component.append(w)
            if component:
                found.append(sorted([v, *component]))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_circle_inside_src():
    assert circles(import_graph()) == []


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"a"}, "c": set()}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
    ],
)
def test_the_circle_finder_on_known_graphs(graph, expected):
    assert circles(graph) == expected
