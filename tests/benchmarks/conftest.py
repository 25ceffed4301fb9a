"""The benchmark scripts are not a package: every test here imports them from benchmarks/."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="package", autouse=True)
def benchmark_scripts_importable():
    """benchmarks/ on ``sys.path`` while this package's tests run."""
    sys.path.insert(0, str(BENCHMARKS))
    yield
    sys.path.remove(str(BENCHMARKS))
