"""Project-wide checks: lint is clean and the core never imports Kedro."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE = [
    "data",
    "models",
    "training",
    "unlearning",
    "evaluation",
    "grouping",
    "execution",
    "influence",
    "tuning",
    "grid.py",
    "seeding.py",
    "runtime.py",
    "parameters.py",
    "parameter_tree.py",
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
