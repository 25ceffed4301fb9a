"""Tuning settings name registered backbones and real training hyperparameters."""

import pytest
from pydantic import ValidationError

from recunlearn.tuning.config import TuningConfig
from recunlearn.tuning.search_space import ParameterSpec

SPACE = {"lr": {"type": "categorical", "choices": [0.01, 0.001]}}


def test_spaces_are_typed_per_backbone():
    config = TuningConfig.model_validate(
        {"storage": "sqlite:///:memory:", "spaces": {"mf": SPACE}, "n_trials": {"default": 0}}
    )
    assert config.spaces["mf"]["lr"] == ParameterSpec(type="categorical", choices=[0.01, 0.001])
    assert config.trials_for("lightgcn") == 0


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"spaces": {"lightgnc": SPACE}}, r"unknown backbone name\(s\) \['lightgnc'\]"),
        ({"spaces": {"default": SPACE}}, r"unknown backbone name\(s\) \['default'\]"),
        ({"spaces": {"mf": {"rate": SPACE["lr"]}}}, r"mf: \['rate'\] are not training.mf hyper"),
        ({"spaces": {"mf": {"n_layers": SPACE["lr"]}}}, r"mf: \['n_layers'\] are not training"),
        ({"spaces": {"dmf": {"n_layers": SPACE["lr"]}}}, r"dmf: \['n_layers'\] are not training"),
        ({"spaces": {"lightgcn": {"mlp_layers": SPACE["lr"]}}}, r"lightgcn: \['mlp_layers'\]"),
        ({"spaces": {"mf": {"lr": {"type": "grid"}}}}, r"spaces\.mf\.lr\.type"),
        ({"n_trials": {"mf": -1}}, r"n_trials\.mf"),
    ],
)
def test_misspelt_or_invalid_settings_are_refused(values, message):
    with pytest.raises(ValidationError, match=message):
        TuningConfig.model_validate(values)
