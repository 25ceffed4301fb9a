"""The whole parameter tree: every block, every registered backbone and method, one line
per problem under its full dotted path, unknown names refused with the valid ones."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ConfigDict, Field

from recunlearn.errors import ParameterError
from recunlearn.models import BACKBONE_SPECS, BACKBONES
from recunlearn.parameter_tree import (
    CONFIG_BLOCKS,
    check_parameter_tree,
    dotted,
    parameter_problems,
)
from recunlearn.unlearning import METHOD_SPECS, METHODS, MethodSpec, UnlearningMethod


def test_a_bad_solver_is_named_by_its_full_path_with_the_choices():
    with pytest.raises(ParameterError) as error:
        check_parameter_tree({"unlearning": {"ifru": {"solver": "foo"}}})
    assert str(error.value) == (
        "invalid parameter unlearning.ifru.solver: "
        "Input should be 'cg', 'adam' or 'direct' (got 'foo')"
    )


def test_a_misspelt_method_is_refused_with_every_registered_method():
    problems = parameter_problems({"unlearning": {"foo": {"x": 1}}})
    assert problems == [
        f"unlearning.foo: unknown name; valid names under unlearning: {', '.join(sorted(METHODS))}"
    ]


def test_a_misspelt_backbone_is_refused_with_the_backbones():
    assert parameter_problems({"training": {"lightgnc": {"lr": 1}}}) == [
        f"training.lightgnc: unknown name; valid names under training: {', '.join(sorted(BACKBONES))}"
    ]


def test_a_misspelt_setting_lists_the_settings_of_its_block():
    (problem,) = parameter_problems({"training": {"mf": {"learning_rate": 0.1}}})
    assert problem.startswith("training.mf.learning_rate: unknown name; valid names under ")
    assert "training.mf: batch_size, embedding_dim, eval_every, init_std, l2, lr," in problem


def test_an_unknown_top_level_block_is_refused():
    (problem,) = parameter_problems({"grupping": {"k": 2}})
    assert problem.startswith(
        "grupping: unknown name; valid names at the top level: audits, dataset,"
    )


def test_an_odd_number_of_lira_reference_models_is_refused_by_its_path():
    (problem,) = parameter_problems({"audits": {"lira": {"references": 3}}})
    assert problem.startswith("audits.lira.references: ")
    assert "must be 0 or an even number >= 4, got 3" in problem


@pytest.mark.parametrize(
    ("fractions", "expected"),
    [
        ([0.5, 0.2, 0.2], "must be 3 non-negative shares summing to 1, got [0.5, 0.2, 0.2]"),
        ([0.8, 0.2, 0.0], "the train and test shares must be positive, got [0.8, 0.2, 0.0]"),
        ([1.2, -0.1, -0.1], "must be 3 non-negative shares summing to 1, got [1.2, -0.1, -0.1]"),
    ],
)
def test_bad_split_fractions_are_refused(fractions, expected):
    tree = {"ingestion": {"split": {"fractions": fractions}}}
    assert parameter_problems(tree) == [f"ingestion.split.fractions: {expected}"]


def test_split_fractions_of_the_wrong_length_are_refused():
    (problem,) = parameter_problems({"ingestion": {"split": {"fractions": [0.8, 0.2]}}})
    assert problem.startswith("ingestion.split.fractions[2]: Field required")


def test_every_problem_gets_its_own_line():
    tree = {
        "seed": "abc",
        "dataset": "ml-20m",
        "runtime": {"device": "tpu"},
        "poisoning": {"ratio": 1.5},
    }
    with pytest.raises(ParameterError) as error:
        check_parameter_tree(tree)
    lines = str(error.value).splitlines()
    assert lines[0] == "4 invalid parameters:"
    assert [line.split(":")[0].strip() for line in lines[1:]] == [
        "seed",
        "dataset",
        "poisoning.ratio",
        "runtime.device",
    ]


def test_a_rule_across_fields_names_its_block():
    tree = {"unlearning": {"scif": {"solver": "cg", "select_on_validation": True}}}
    assert parameter_problems(tree) == [
        "unlearning.scif: select_on_validation needs solver 'adam' (got solver 'cg')"
    ]


def test_a_valid_tree_and_absent_blocks_pass():
    tree = {"seed": 3, "dataset": "ml-1m", "unlearning": {"warm_start": None, "ifru": {}}}
    assert parameter_problems(tree) == []
    check_parameter_tree({})


class ToyConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    alpha: float = Field(1.0, gt=0)


class ToyMethod(UnlearningMethod):
    name = "toy"
    config_type = ToyConfig

    def unlearn(self, request):
        raise NotImplementedError


def test_a_method_registered_later_is_checked_without_touching_the_validator(monkeypatch):
    monkeypatch.setitem(
        METHOD_SPECS, "toy", MethodSpec(f"{__name__}:ToyMethod", ToyConfig, "fine-tuning")
    )
    assert METHODS["toy"] is ToyMethod
    assert parameter_problems({"unlearning": {"toy": {"alpha": 2.0}}}) == []
    assert parameter_problems({"unlearning": {"toy": {"alpha": -1}}}) == [
        "unlearning.toy.alpha: Input should be greater than 0 (got -1)"
    ]


def test_a_new_block_is_one_entry_in_the_table(monkeypatch):
    monkeypatch.setitem(CONFIG_BLOCKS, "grouping", ToyConfig)
    assert parameter_problems({"grouping": {"alpha": 2.0}}) == []
    assert parameter_problems({"grouping": {"beta": 1}}) == [
        "grouping.beta: unknown name; valid names under grouping: alpha"
    ]


def test_dotted_paths():
    assert dotted(("ingestion", "split", "fractions", 0)) == "ingestion.split.fractions[0]"
    assert dotted(()) == "parameters"


def test_the_solver_choices_are_the_registered_solvers():
    from typing import get_args

    from recunlearn.influence.solvers import SOLVERS
    from recunlearn.unlearning.influence.config import SolverConfig

    assert set(get_args(SolverConfig.model_fields["solver"].annotation)) == set(SOLVERS)


def test_the_light_list_of_iterate_selecting_solvers_is_the_classes():
    """``select_on_validation`` is checked before torch loads, against a light list."""
    from recunlearn.influence.solver_settings import ITERATE_SELECTING_SOLVERS
    from recunlearn.influence.solvers import SOLVERS

    selecting = {name for name, solver in SOLVERS.items() if solver.selects_iterates}
    assert ITERATE_SELECTING_SOLVERS == selecting


def test_per_backbone_settings_refuse_a_misspelt_backbone():
    tree = {
        "unlearning": {"ifru": {"pruning_ratios": {"lightgnc": [1.0, 0.5]}}},
        "tuning": {"storage": "sqlite:///:memory:", "n_trials": {"mff": 2}},
    }
    assert parameter_problems(tree) == [
        "tuning.n_trials: unknown backbone name(s) ['mff']; valid names: default, "
        + ", ".join(sorted(BACKBONES)),
        "unlearning.ifru.pruning_ratios: unknown backbone name(s) ['lightgnc']; "
        "valid names: default, " + ", ".join(sorted(BACKBONES)),
    ]


def test_a_grid_method_that_refuses_every_grid_backbone_is_refused_before_the_run():
    problems = parameter_problems(
        {"grid": {"backbones": ["dmf", "neumf"], "methods": ["retrain", "alteraser_ah"]}}
    )
    assert problems == [
        "grid.methods: 'alteraser_ah' supports none of the grid's backbones ['dmf', 'neumf'] "
        "(supported: enmf, lightgcn, mf)"
    ]
    assert parameter_problems({"grid": {"backbones": ["mf", "dmf"], "methods": ["retrain"]}}) == []


OWN_FIELDS = {"n_layers": 2, "mlp_layers": [8, 4], "negative_weight": 0.2}
"""Every field that only some backbones' config types have, with a valid value."""


@pytest.mark.parametrize(
    ("backbone", "field"),
    [(b, f) for b in sorted(BACKBONE_SPECS) for f in sorted(OWN_FIELDS)],
)
def test_a_backbone_field_is_accepted_only_under_the_backbones_that_have_it(backbone, field):
    problems = parameter_problems({"training": {backbone: {field: OWN_FIELDS[field]}}})
    if field in BACKBONE_SPECS[backbone].config_type.model_fields:
        assert problems == []
        return
    (problem,) = problems
    assert problem.startswith(f"training.{backbone}.{field}: unknown name; valid names under ")
    assert field not in problem.split("valid names under", 1)[1]


def test_each_backbone_specific_field_belongs_to_some_backbone_and_not_to_all():
    for field in OWN_FIELDS:
        owners = [b for b, s in BACKBONE_SPECS.items() if field in s.config_type.model_fields]
        assert 0 < len(owners) < len(BACKBONE_SPECS), field
