"""LASER's SeqTrain and C-SISA: what the contract does not already pin down."""

from __future__ import annotations

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
from recunlearn.unlearning.user_groups import UserGroups

CONFIG = TrainConfig(embedding_dim=4, init_std=0.1, max_epochs=3, batch_size=64, lr=0.05)
GROUPS = dict.fromkeys(("rand", "bkm", "cbkm"), UserGroups(np.arange(24) % 4, (3, 1, 0, 2)))


def request_for(interactions, forget_users, backbone="mf") -> UnlearningRequest:
    train = interactions.assign(forget=interactions["user"].isin(forget_users))
    init, _ = training_streams(5, backbone)
    original = build_backbone(backbone, 24, 18, CONFIG, train, init)
    return UnlearningRequest(original, train, train.iloc[:10], CONFIG, 5)


def prepared(name, request, groups=GROUPS, **config):
    method = METHODS[name]({"epochs": 2, **config})
    return method, method.prepare(PrepareContext.of(request, groups))


@pytest.mark.parametrize(("forget_user", "restart"), [(3, 0), (1, 1), (0, 2), (2, 3)])
def test_laser_restarts_at_the_earliest_touched_group_and_reuses_earlier_checkpoints(
    interactions, forget_user, restart
):
    request = request_for(interactions, [forget_user])
    method, state = prepared("laser", request)
    log = method.unlearn(state, request).log
    assert log["restart_stage"] == restart
    assert log["stages_retrained"] == 4 - restart
    assert log["checkpoints_reused"] == restart + 1


@pytest.mark.parametrize(
    ("forget_users", "restart"), [([3, 2], 0), ([2, 3], 0), ([2, 1], 1), ([0, 2], 2)]
)
def test_a_request_touching_several_groups_restarts_at_the_earliest_in_the_order(
    interactions, forget_users, restart
):
    """Order (3, 1, 0, 2): users 3 and 2 sit in the first and the last group."""
    request = request_for(interactions, forget_users)
    method, state = prepared("laser", request)
    log = method.unlearn(state, request).log
    assert (log["restart_stage"], log["stages_retrained"]) == (restart, 4 - restart)


def test_laser_with_one_group_is_ordinary_training_for_t_epochs(interactions):
    request = request_for(interactions, [])
    one = {"cbkm": UserGroups(np.zeros(24, dtype=np.int64), (0,))}
    method, state = prepared("laser", request, groups=one, epochs=3)
    model = method.unlearn(state, request).model
    init, _ = training_streams(5, "mf")
    expected = build_backbone("mf", 24, 18, CONFIG, request.train_rows, init)
    batches = torch_generator(5, "laser", "mf", "group", 0, "batches")
    train_model(expected, request.train_rows, request.train_rows.iloc[:0], CONFIG, batches)
    assert torch.equal(model.user_embedding, expected.user_embedding)
    assert torch.equal(model.item_embedding, expected.item_embedding)


def test_anti_seqtrain_visits_the_groups_in_reverse(interactions):
    request = request_for(interactions, [3])  # group 3: first for SeqTrain, last for anti
    _, state = prepared("laser_anti", request)
    assert state.groups.order == (2, 0, 1, 3)
    method = METHODS["laser_anti"]({"epochs": 2})
    assert method.unlearn(state, request).log["stages_retrained"] == 1


def test_a_request_naming_unknown_users_is_refused(interactions):
    request = request_for(interactions, [])
    method, state = prepared("laser", request)
    bad = request.train_rows.copy()
    bad.loc[0, ["user", "forget"]] = [99, True]
    with pytest.raises(ParameterError, match="unknown to the grouping"):
        method.unlearn(state, UnlearningRequest(request.original, bad, bad.iloc[:5], CONFIG, 5))


@pytest.mark.parametrize("backbone", ["mf", "lightgcn"])
def test_csisa_retrains_only_touched_groups_and_keeps_the_others_bit_identical(
    interactions, backbone
):
    request = request_for(interactions, [1, 5], backbone)  # both in group 1
    method, state = prepared("csisa", request)
    outcome = method.unlearn(state, request)
    assert outcome.log["groups_retrained"] == 1
    members = outcome.model.members
    for group in (0, 2, 3):
        for name, tensor in members[group].named_parameters():
            assert torch.equal(tensor, state.members[group][name]), (group, name)
    assert not torch.equal(members[1].user_embedding, state.members[1]["user_embedding"])


def test_csisa_scores_each_user_with_its_groups_model(interactions):
    request = request_for(interactions, [])
    method, state = prepared("csisa", request)
    model = method.unlearn(state, request).model
    with torch.no_grad():
        grouped = model.scorer().users(torch.arange(24))
        for user in range(24):
            member = model.members[user % 4]
            torch.testing.assert_close(
                grouped[user], member.scorer().users(torch.tensor([user]))[0], rtol=0, atol=1e-7
            )
