"""The benchmark scripts accept the command lines the README documents."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module", autouse=True)
def importable_scripts():
    sys.path.insert(0, str(BENCHMARKS))
    yield
    sys.path.remove(str(BENCHMARKS))


def script(name: str):
    return importlib.import_module(name)


@pytest.mark.parametrize(
    "name", ["seeds", "alteraser_sweep", "training_speed", "influence_sweeps", "exact"]
)
def test_every_script_runs_without_arguments(name):
    assert script(name).parse_arguments([]) is not None


def test_influence_sweeps_run_all_experiments_or_the_named_ones():
    sweeps = script("influence_sweeps")
    assert sweeps.parse_arguments([]).experiments == []
    assert sweeps.parse_arguments(["ratio", "harmless"]).experiments == ["ratio", "harmless"]
    with pytest.raises(SystemExit):
        sweeps.parse_arguments(["ratios"])


def test_seeds_and_sweep_options():
    seeds = script("seeds").parse_arguments(["--seeds", "1", "2", "--env", "alteraser"])
    assert (seeds.seeds, seeds.env, seeds.threads) == ([1, 2], "alteraser", 1)
    sweep = script("alteraser_sweep").parse_arguments(["--seed", "3", "--repeats", "1"])
    assert (sweep.seed, sweep.repeats, sweep.env, sweep.backbone) == (3, 1, "alteraser", "mf")


def test_exact_options():
    args = script("exact").parse_arguments(["--repeats", "2", "--threads", "2"])
    assert (args.repeats, args.threads) == (2, 2)
