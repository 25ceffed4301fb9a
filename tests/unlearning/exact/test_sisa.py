"""SISA: random balanced interaction shards, averaged; only touched shards retrain."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from recunlearn.errors import ParameterError
from recunlearn.models import build_backbone
from recunlearn.models.config import TrainConfig
from recunlearn.seeding import torch_generator
from recunlearn.training import train_model
from recunlearn.unlearning import METHODS, PrepareContext, UnlearningRequest
from recunlearn.unlearning.retrain import training_streams

CONFIG = TrainConfig(embedding_dim=4, init_std=0.1, max_epochs=3, batch_size=64, lr=0.05)


def request_for(interactions, forget, backbone="mf") -> UnlearningRequest:
    """D = the checkerboard; ``forget`` is a boolean mask of its rows."""
    train = interactions.assign(forget=forget)
    init, _ = training_streams(5, backbone)
    original = build_backbone(backbone, 24, 18, CONFIG, train, init)
    return UnlearningRequest(original, train, train.iloc[:10], CONFIG, 5)


def prepared(request, **config):
    method = METHODS["sisa"]({"shards": 5, "epochs": 2, **config})
    return method, method.prepare(PrepareContext.of(request))


def test_shards_are_balanced_and_cover_every_row_once(interactions):
    request = request_for(interactions, np.zeros(len(interactions), bool))
    method, state = prepared(request)
    labels = method.partition_of(state).labels_of(interactions)
    sizes = np.bincount(labels, minlength=5)
    assert sizes.sum() == len(interactions)
    assert sizes.max() - sizes.min() <= 1
    assert list(state.shard_rows) == sizes.tolist()


@pytest.mark.parametrize("backbone", ["mf", "lightgcn"])
def test_unlearning_retrains_only_the_shard_of_the_forgotten_rows(interactions, backbone):
    method, state = prepared(request_for(interactions, np.zeros(len(interactions), bool)))
    labels = method.partition_of(state).labels_of(interactions)
    forget = (labels == 2) & (np.arange(len(interactions)) % 7 == 0)  # rows of shard 2 only
    request = request_for(interactions, forget, backbone)
    method, state = prepared(request)
    outcome = method.unlearn(state, request)
    assert outcome.log["shards_retrained"] == 1
    members = outcome.model.members
    for shard in (0, 1, 3, 4):
        for name, tensor in members[shard].named_parameters():
            assert torch.equal(tensor, state.members[shard][name]), (shard, name)
    assert not torch.equal(members[2].user_embedding, state.members[2]["user_embedding"])


def test_a_retrained_shard_is_plain_training_on_its_remaining_rows(interactions):
    """Oracle: shard 2 after unlearning = a backbone trained on its kept rows for T epochs."""
    method, state = prepared(request_for(interactions, np.zeros(len(interactions), bool)))
    labels = method.partition_of(state).labels_of(interactions)
    forget = (labels == 2) & (np.arange(len(interactions)) % 3 == 0)
    request = request_for(interactions, forget)
    method, state = prepared(request)
    member = method.unlearn(state, request).model.members[2]
    kept = interactions[(labels == 2) & ~forget]
    init = torch_generator(5, "sisa", "mf", "group", 2, "init")
    expected = build_backbone("mf", 24, 18, CONFIG, kept, init)
    batches = torch_generator(5, "sisa", "mf", "group", 2, "batches")
    train_model(expected, kept, kept.iloc[:0], CONFIG.model_copy(update={"max_epochs": 2}), batches)
    assert torch.equal(member.user_embedding, expected.user_embedding)
    assert torch.equal(member.item_embedding, expected.item_embedding)


def test_ensemble_answers_the_logit_of_the_members_mean_probability(interactions):
    request = request_for(interactions, np.zeros(len(interactions), bool))
    method, state = prepared(request, shards=3)
    model = method.unlearn(state, request).model
    user, item = 5, 8
    probabilities = []
    with torch.no_grad():
        for member in model.members:
            p_u, q_i = member.user_embedding[user].double(), member.item_embedding[item].double()
            probabilities.append(1.0 / (1.0 + math.exp(-float(p_u @ q_i))))
        mean = sum(probabilities) / 3
        score = model.scorer().pairs(torch.tensor([user]), torch.tensor([item]))
        row = model.scorer().users(torch.tensor([user]))[0, item]
    assert float(score) == pytest.approx(math.log(mean / (1.0 - mean)), abs=1e-5)
    assert float(row) == pytest.approx(float(score), abs=1e-6)


def test_one_shard_is_ordinary_training_and_the_ensemble_equals_it(interactions):
    request = request_for(interactions, np.zeros(len(interactions), bool))
    method, state = prepared(request, shards=1, epochs=3)
    model = method.unlearn(state, request).model
    init = torch_generator(5, "sisa", "mf", "group", 0, "init")
    expected = build_backbone("mf", 24, 18, CONFIG, interactions, init)
    batches = torch_generator(5, "sisa", "mf", "group", 0, "batches")
    train_model(expected, interactions, interactions.iloc[:0], CONFIG, batches)
    assert torch.equal(model.members[0].user_embedding, expected.user_embedding)
    with torch.no_grad():
        torch.testing.assert_close(
            model.scorer().users(torch.arange(24)),
            expected.scorer().users(torch.arange(24)),
            rtol=0,
            atol=1e-5,
        )


def test_unlearned_model_equals_sisa_prepared_from_scratch_on_the_rest(interactions):
    """The exact oracle with one of five shards touched (the contract touches them all)."""
    method, state = prepared(request_for(interactions, np.zeros(len(interactions), bool)))
    labels = method.partition_of(state).labels_of(interactions)
    request = request_for(interactions, (labels == 4) & (interactions["user"] % 5 == 0), "lightgcn")
    method, state = prepared(request)
    outcome = method.unlearn(state, request)
    assert outcome.log["shards_retrained"] == 1
    retained = request.retain_rows.assign(forget=False)
    scratch = UnlearningRequest(request.original, retained, request.valid_rows, CONFIG, 5)
    fresh = method.prepare(PrepareContext.of(scratch, partition=method.partition_of(state)))
    oracle = method.unlearn(fresh, scratch).model
    for key, value in outcome.model.state_dict().items():
        assert torch.equal(value, oracle.state_dict()[key]), key


def test_more_shards_than_rows_of_d_is_refused_before_any_shard_trains(interactions):
    METHODS["sisa"]({"shards": len(interactions)}).check_fits(interactions)
    request = request_for(interactions, np.zeros(len(interactions), bool))
    with pytest.raises(ParameterError) as error:
        prepared(request, shards=len(interactions) + 1)
    assert str(error.value) == (
        f"parameter 'unlearning.sisa.shards' ({len(interactions) + 1}) exceeds the "
        f"{len(interactions)} interaction points of D to partition"
    )
