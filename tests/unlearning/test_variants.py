"""Registry variants: one class under another name, label and default settings."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from recunlearn.unlearning import METHODS
from recunlearn.unlearning.exact.laser import Laser
from recunlearn.unlearning.finetune.alteraser import AltEraser
from recunlearn.unlearning.influence.ifru import IFRU


def test_a_variant_changes_only_the_defaults_it_names():
    rand = METHODS["laser_rand"]()
    assert isinstance(rand, Laser) and rand.name == "laser_rand"
    assert rand.config.grouping == "rand"
    assert rand.config.model_dump() == Laser().config.model_dump() | {"grouping": "rand"}
    assert METHODS["laser_anti"]().config.order == "hard_to_easy"
    assert METHODS["retrain_star"]().config.seed_key == "star"


def test_the_parameters_block_overrides_the_variant_defaults():
    method = METHODS["laser_rand"]({"epochs": 3})
    assert (method.config.grouping, method.config.epochs) == ("rand", 3)
    assert METHODS["laser_rand"]({"grouping": "bkm"}).config.grouping == "bkm"


def test_a_misspelt_variant_setting_fails_when_the_registry_is_written():
    with pytest.raises(ValidationError, match="groupin"):
        Laser.variant("laser_x", "LASER (x)", groupin="rand")


def test_gauss_newton_variants_fix_the_damping_and_need_no_preparation():
    gn = METHODS["ifru_gn"]()
    assert isinstance(gn, IFRU)
    assert (gn.config.hessian, gn.config.damping_rule, gn.config.damping) == (
        "gauss_newton",
        "fixed",
        1.0,
    )
    assert METHODS["ifru"].has_preparation() and METHODS["ifru_gn"].has_preparation()
    assert METHODS["scif"].has_preparation() and METHODS["scif_gn"].has_preparation()


def test_a_variant_may_widen_the_backbones_and_otherwise_keeps_them():
    assert not AltEraser.supports("dmf")
    assert METHODS["alteraser_hf"].supports("dmf") and METHODS["alteraser_adamw"].supports("dmf")
    assert METHODS["laser_rand"].supported_backbones == Laser.supported_backbones
    assert METHODS["alteraser_hf"]().config.optimizer == "hf_newton"


def test_every_registry_key_is_the_name_of_its_entry():
    assert all(method.name == key for key, method in METHODS.items())
