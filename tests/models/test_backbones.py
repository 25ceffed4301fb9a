"""What every registered backbone must do, whatever its head."""

import numpy as np
import pytest
import torch
from pydantic import ValidationError

from recunlearn.models import (
    BACKBONE_SPECS,
    BACKBONES,
    DOT_PRODUCT_BACKBONES,
    PER_ROW_BACKBONES,
    build_backbone,
    model_from_payload,
    model_payload,
)
from recunlearn.models.config import TrainConfig

OWN_FIELDS = {
    "lightgcn": {"n_layers": 2},
    "dmf": {"mlp_layers": [6, 4]},
    "neumf": {"mlp_layers": [5, 3]},
    "enmf": {"negative_weight": 0.2},
}
"""Each backbone's own fields (not the defaults, so that a dropped value shows)."""


def config_of(name: str) -> TrainConfig:
    own_type = BACKBONE_SPECS[name].config_type if name in BACKBONE_SPECS else TrainConfig
    return own_type(embedding_dim=8, init_std=0.1, **OWN_FIELDS.get(name, {}))


def build(name, interactions, seed=1, config=None):
    config = config or config_of(name)
    return build_backbone(name, 24, 18, config, interactions, torch.Generator().manual_seed(seed))


def every_pair(n_users=24, n_items=18) -> tuple[torch.Tensor, torch.Tensor]:
    users, items = torch.meshgrid(torch.arange(n_users), torch.arange(n_items), indexing="ij")
    return users.reshape(-1), items.reshape(-1)


def test_registry_and_defaults():
    assert set(BACKBONES) == {"mf", "lightgcn", "dmf", "neumf", "enmf"}
    for name, backbone in BACKBONES.items():
        assert backbone.name == name
    assert [BACKBONES[n].dot_product_head for n in ("mf", "lightgcn", "dmf", "neumf")] == [
        True,
        True,
        False,
        False,
    ]


@pytest.mark.parametrize("name", sorted(BACKBONE_SPECS))
def test_the_light_spec_says_what_the_class_does(name):
    """The parameter check and the pipelines read the spec; the run uses the class."""
    spec, backbone = BACKBONE_SPECS[name], BACKBONES[name]
    assert backbone.name == name
    assert spec.training_loss == backbone.training_loss
    assert spec.dot_product_head == backbone.dot_product_head
    assert spec.config_type is backbone.config_type
    assert BACKBONES[name] is backbone  # loaded once


def test_the_light_backbone_sets_are_the_ones_the_classes_give():
    by_loss = {
        name for name, backbone in BACKBONES.items() if backbone.training_loss == "per_row_bce"
    }
    assert PER_ROW_BACKBONES == by_loss
    assert DOT_PRODUCT_BACKBONES == {n for n, b in BACKBONES.items() if b.dot_product_head}


def test_unknown_backbone_is_a_clear_error(interactions):
    with pytest.raises(KeyError, match="unknown backbone 'bpr'"):
        build("bpr", interactions)


@pytest.mark.parametrize("name", sorted(BACKBONES))
def test_payload_round_trip_preserves_scores(interactions, name):
    model = build(name, interactions)
    restored = model_from_payload(model_payload(model))
    users = torch.arange(24)
    with torch.no_grad():
        torch.testing.assert_close(restored.scorer().users(users), model.scorer().users(users))
    assert restored.config() == model.config()
    assert type(restored) is type(model)


@pytest.mark.parametrize("name", sorted(BACKBONES))
def test_each_backbone_builds_itself_from_the_architecture_in_its_config(interactions, name):
    model = build(name, interactions)
    saved = model.config()
    assert (saved["embedding_dim"], saved["init_std"]) == (8, 0.1)
    for field in BACKBONES[name].architecture_fields:
        assert list(np.atleast_1d(saved[field])) == list(np.atleast_1d(OWN_FIELDS[name][field]))
    assert {"lightgcn": ("n_layers",), "dmf": ("mlp_layers",), "neumf": ("mlp_layers",)}.get(
        name, ()
    ) == BACKBONES[name].architecture_fields


@pytest.mark.parametrize("name", sorted(BACKBONES))
def test_each_backbone_has_exactly_its_own_fields_besides_the_common_ones(name):
    own = set(BACKBONES[name].config_type.model_fields) - set(TrainConfig.model_fields)
    assert own == set(OWN_FIELDS.get(name, {}))
    assert set(BACKBONES[name].architecture_fields) <= own


@pytest.mark.parametrize(
    ("name", "field", "value"),
    [
        (name, field, value)
        for name in sorted(BACKBONES)
        for other, fields in OWN_FIELDS.items()
        for field, value in fields.items()
        if field not in OWN_FIELDS.get(name, {})
    ],
)
def test_a_backbone_refuses_another_backbones_field(interactions, name, field, value):
    foreign = BACKBONE_SPECS[
        next(other for other, fields in OWN_FIELDS.items() if field in fields)
    ].config_type(embedding_dim=8, **{field: value})
    with pytest.raises(ValidationError, match=field):
        build(name, interactions, config=foreign)
    payload = model_payload(build(name, interactions))
    payload["config"][field] = value
    with pytest.raises(ValidationError, match=field):
        model_from_payload(payload)


def test_a_plain_train_config_builds_with_the_backbones_own_defaults(interactions):
    model = build("lightgcn", interactions, config=TrainConfig(embedding_dim=8))
    assert model.n_layers == BACKBONES["lightgcn"].config_type().n_layers


def test_lightgcn_takes_its_graph_from_the_positive_training_rows(interactions):
    model = build("lightgcn", interactions)
    positive = interactions[interactions["label"] == 1]
    assert model.graph_users.tolist() == positive["user"].tolist()
    assert model.graph_items.tolist() == positive["item"].tolist()


@pytest.mark.parametrize("name", sorted(BACKBONES))
def test_scorer_equals_forward_on_every_pair(interactions, name):
    model = build(name, interactions, seed=2)
    users, items = every_pair()
    with torch.no_grad():
        expected = model(users, items)
        scorer = model.scorer()
        torch.testing.assert_close(scorer.users(torch.arange(24)).reshape(-1), expected)
        torch.testing.assert_close(scorer.pairs(users, items), expected)
        torch.testing.assert_close(model.score_pairs(users, items, chunk=7), expected)
    assert expected.std() > 0


@pytest.mark.parametrize("name", sorted(BACKBONES))
def test_same_generator_seed_same_parameters(interactions, name):
    a, b, c = (
        build(name, interactions, 5),
        build(name, interactions, 5),
        build(name, interactions, 6),
    )
    state_a, state_b, state_c = a.state_dict(), b.state_dict(), c.state_dict()
    assert state_a.keys() == state_b.keys()
    for key, value in state_a.items():
        assert torch.equal(value, state_b[key]), key
    assert not torch.equal(state_a["user_embedding"], state_c["user_embedding"])


@pytest.mark.parametrize("name", sorted(BACKBONES))
def test_initialisation_never_draws_from_the_global_stream(interactions, name):
    before = torch.random.get_rng_state()
    build(name, interactions)
    assert torch.equal(torch.random.get_rng_state(), before)


@pytest.mark.parametrize("name", sorted(PER_ROW_BACKBONES))
def test_row_losses_add_l2_on_ego_embeddings(interactions, name):
    model = build(name, interactions, seed=3)
    users, items, labels = torch.tensor([2, 7]), torch.tensor([5, 5]), torch.tensor([1.0, 0.0])
    plain = model.row_losses(users, items, labels, 0.0)
    with_l2 = model.row_losses(users, items, labels, 0.1)
    penalty = 0.1 * (
        model.user_embedding[users].pow(2).sum(-1) + model.item_embedding[items].pow(2).sum(-1)
    )
    torch.testing.assert_close(with_l2 - plain, penalty)
    expected = torch.nn.functional.binary_cross_entropy(torch.sigmoid(model(users, items)), labels)
    torch.testing.assert_close(plain.mean(), expected)
