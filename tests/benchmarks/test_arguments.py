"""The benchmark scripts accept the command lines the README documents."""

from __future__ import annotations

import importlib

import pytest


def script(name: str):
    return importlib.import_module(name)


@pytest.mark.parametrize(
    "name",
    [
        "seeds",
        "alteraser_sweep",
        "alteraser_tables",
        "training_speed",
        "mf_step_speed",
        "influence_sweeps",
        "influence_speed",
        "laser",
        "exact",
        "unlearning_speedup",
        "influence_update",
        "audit_power",
        "recbole_bpr",
        "recbole_epoch",
    ],
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
    assert (args.executors, args.skip_throughput) == (None, False)
    assert args.variants == ["receraser", "receraser_ubp", "sisa", "sisa_r5"]
    chosen = script("exact").parse_arguments(
        ["--variants", "receraser_ubp", "--executors", "inprocess", "--skip-throughput"]
    )
    assert (chosen.variants, chosen.executors, chosen.skip_throughput) == (
        ["receraser_ubp"],
        ["inprocess"],
        True,
    )


def test_laser_options():
    laser = script("laser").parse_arguments(["--groups", "2", "8", "--backbone", "mf"])
    assert (laser.groups, laser.backbone, laser.seeds, laser.epochs) == (
        [2, 8],
        "mf",
        [1, 2, 3],
        50,
    )


def test_alteraser_tables_options():
    tables = script("alteraser_tables")
    default = tables.parse_arguments([])
    assert (default.seeds, default.kinds, default.backbones) == (
        [1, 2, 3],
        ["noise_injection", "private"],
        ["enmf"],
    )
    chosen = tables.parse_arguments(["--seeds", "4", "--kinds", "private", "--backbones", "mf"])
    assert (chosen.seeds, chosen.kinds, chosen.backbones) == ([4], ["private"], ["mf"])
    with pytest.raises(SystemExit):
        tables.parse_arguments(["--kinds", "label_flip"])


def test_dotted_runtime_parameters_become_nested_blocks_like_the_cli_makes_them():
    nested = script("kedro_runs").nested
    assert nested({"runtime.threads": 2, "grouping.walks.depth": 4, "seed": 1}) == {
        "runtime": {"threads": 2},
        "grouping": {"walks": {"depth": 4}},
        "seed": 1,
    }


def test_influence_update_takes_seeds_settings_and_a_label():
    update = script("influence_update")
    args = update.parse_arguments(["--seeds", "3", "4", "--set", "preconditioner=none"])
    assert (args.seeds, args.set, args.threads) == ([3, 4], ["preconditioner=none"], 1)
