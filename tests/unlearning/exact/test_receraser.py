"""RecEraser: balanced shards, frozen shard embeddings under a trained attention aggregator."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from recunlearn.errors import ParameterError
from recunlearn.models import AttentionEnsemble, build_backbone
from recunlearn.models.config import TrainConfig
from recunlearn.models.row_pattern import RowPattern
from recunlearn.predictions import rows_to_tensors
from recunlearn.unlearning import METHODS, PrepareContext, UnlearningRequest
from recunlearn.unlearning.exact.receraser import train_aggregator
from recunlearn.unlearning.retrain import training_streams

CONFIG = TrainConfig(embedding_dim=4, init_std=0.1, max_epochs=3, batch_size=64, lr=0.05)
SMALL = {"shards": 4, "epochs": 2, "aggregator_epochs": 2}


def request_for(interactions, forget_users, backbone="mf") -> UnlearningRequest:
    train = interactions.assign(forget=interactions["user"].isin(forget_users))
    init, _ = training_streams(5, backbone)
    original = build_backbone(backbone, 24, 18, CONFIG, train, init)
    return UnlearningRequest(original, train, train.iloc[:10], CONFIG, 5)


def prepared(request, **config):
    method = METHODS["receraser"]({**SMALL, **config})
    return method, method.prepare(PrepareContext.of(request))


@pytest.mark.parametrize("backbone", ["mf", "lightgcn"])
def test_a_users_request_under_ubp_retrains_its_shard_and_keeps_the_others(interactions, backbone):
    request = request_for(interactions, [6], backbone)
    method, state = prepared(request, partition="user")
    shard = int(method.partition_of(state).labels_of(request.forget_rows)[0])
    outcome = method.unlearn(state, request)
    assert outcome.log["shards_retrained"] == 1
    assert outcome.log["aggregator_seconds"] > 0
    model = outcome.model
    for other in set(range(4)) - {shard}:
        stored = state.members[other]["user_embedding"]
        assert torch.equal(model.user_members[other], stored), other
        assert torch.equal(model.item_members[other], state.members[other]["item_embedding"])
    assert not torch.equal(model.user_members[shard], state.members[shard]["user_embedding"])


def test_ubp_shards_respect_the_capacity_and_keep_users_whole(interactions):
    request = request_for(interactions, [])
    method, state = prepared(request, partition="user")
    labels = method.partition_of(state).labels_of(interactions)
    assert (interactions.assign(shard=labels).groupby("user")["shard"].nunique() == 1).all()
    users_per_shard = np.bincount(
        interactions.assign(shard=labels).groupby("user")["shard"].first()
    )
    assert users_per_shard.max() <= np.ceil(1.2 * 24 / 4)


def test_inbp_shards_hold_at_most_their_capacity_of_rows(interactions):
    request = request_for(interactions, [])
    method, state = prepared(request)
    sizes = np.array(state.shard_rows)
    assert sizes.sum() == len(interactions)
    assert sizes.max() <= np.ceil(1.2 * len(interactions) / 4)


def test_aggregator_training_leaves_the_shard_embeddings_frozen(interactions):
    request = request_for(interactions, [3])
    method, state = prepared(request)
    model = method.unlearn(state, request).model
    for shard in range(4):
        stored = state.members[shard]["user_embedding"]
        if method.partition_of(state).labels_of(request.forget_rows).tolist().count(shard) == 0:
            assert torch.equal(model.user_members[shard], stored)
    assert not torch.equal(
        model.users_attention.transfer_weight, torch.eye(4).repeat(4, 1, 1)
    )  # the aggregator did train


def test_attention_weights_sum_to_one_over_the_shards(interactions):
    request = request_for(interactions, [])
    method, state = prepared(request)
    model = method.unlearn(state, request).model
    with torch.no_grad():
        for attention, members in (
            (model.users_attention, model.user_members),
            (model.items_attention, model.item_members),
        ):
            weights = attention.weights(attention.transferred(members))
            assert weights.shape == members.shape[:2]
            assert (weights >= 0).all()
            torch.testing.assert_close(weights.sum(0), torch.ones(members.shape[1]))


@pytest.mark.parametrize("backbone", ["mf", "lightgcn"])
def test_a_single_shard_ensemble_scores_like_its_shard(interactions, backbone):
    wide = TrainConfig(embedding_dim=4, init_std=0.3)  # LightGCN: its default n_layers
    shard = build_backbone(backbone, 24, 18, wide, interactions, torch.Generator().manual_seed(1))
    graph_users, graph_items = (
        getattr(shard, "graph_users", torch.zeros(0, dtype=torch.long)),
        getattr(shard, "graph_items", torch.zeros(0, dtype=torch.long)),
    )
    ensemble = AttentionEnsemble(
        shard.user_embedding.detach()[None],
        shard.item_embedding.detach()[None],
        8,
        shard.graph_hops,
        graph_users,
        graph_items,
        torch.Generator().manual_seed(2),
    )
    with torch.no_grad():
        torch.testing.assert_close(
            ensemble.scorer().users(torch.arange(24)),
            shard.scorer().users(torch.arange(24)),
            rtol=0,
            atol=1e-6,
        )


def test_backbones_without_a_dot_product_head_are_refused(interactions):
    request = request_for(interactions, [])
    towers = build_backbone("dmf", 24, 18, CONFIG, interactions, torch.Generator().manual_seed(0))
    other = UnlearningRequest(towers, request.train_rows, request.valid_rows, CONFIG, 5)
    with pytest.raises(ParameterError, match="unlearning.receraser: backbone 'dmf'"):
        METHODS["receraser"](SMALL).prepare(PrepareContext.of(other))


def test_unlearned_model_equals_receraser_prepared_from_scratch_on_the_rest(interactions):
    """The exact oracle with only one UBP shard touched (the contract touches them all)."""
    request = request_for(interactions, [6], "lightgcn")
    method, state = prepared(request, partition="user")
    outcome = method.unlearn(state, request)
    assert outcome.log["shards_retrained"] == 1
    retained = request.retain_rows.assign(forget=False)
    scratch = UnlearningRequest(request.original, retained, request.valid_rows, CONFIG, 5)
    again = METHODS["receraser"]({**SMALL, "partition": "user"})
    fresh = again.prepare(PrepareContext.of(scratch, partition=method.partition_of(state)))
    oracle = again.unlearn(fresh, scratch).model
    for key, value in outcome.model.state_dict().items():
        assert torch.equal(value, oracle.state_dict()[key]), key


def test_more_shards_than_users_is_refused_naming_the_parameter(interactions):
    request = request_for(interactions, [])
    with pytest.raises(ParameterError, match="unlearning.receraser.shards"):
        prepared(request, partition="user", shards=25)  # 24 users


@pytest.mark.parametrize(
    ("partition", "fits", "refused", "unit"),
    [
        ("user", 24, 25, "user"),
        ("item", 18, 19, "item"),
        ("interaction", None, None, "interaction"),
    ],
)
def test_check_fits_counts_the_points_the_partition_divides(
    interactions, partition, fits, refused, unit
):
    """24 users, 18 items and len(interactions) rows: S may reach each, never pass it."""
    fits = fits or len(interactions)
    refused = refused or len(interactions) + 1
    METHODS["receraser"]({"partition": partition, "shards": fits}).check_fits(interactions)
    with pytest.raises(ParameterError) as error:
        METHODS["receraser"]({"partition": partition, "shards": refused}).check_fits(interactions)
    assert str(error.value) == (
        f"parameter 'unlearning.receraser.shards' ({refused}) exceeds the {fits} {unit} "
        "points of D to partition"
    )


def aggregator_after(request, batch_size, batch_seed: int, epochs: int = 2):
    """A fresh MF aggregator over the prepared state's members, trained on D."""
    method, state = prepared(request)
    model = method.ensemble(state, state.members, request.train_rows, request)
    generator = torch.Generator().manual_seed(batch_seed)
    train_aggregator(model, request.train_rows, epochs, 0.05, batch_size, 0.0, generator)
    return model


@pytest.mark.parametrize("batch_size", [None, 10_000])
def test_a_full_batch_aggregator_draws_no_batch_order(interactions, batch_size):
    """None (the default) or a batch of at least the rows: one step on the rows in
    their order, so the batch generator cannot change a bit of the result."""
    request = request_for(interactions, [])
    first, second = (
        aggregator_after(request, batch_size, 1),
        aggregator_after(request, batch_size, 2),
    )
    for key, value in first.state_dict().items():
        assert torch.equal(value, second.state_dict()[key]), key


def test_mini_batches_follow_the_batch_generator(interactions):
    request = request_for(interactions, [])
    first, second = aggregator_after(request, 32, 1), aggregator_after(request, 32, 2)
    weights = "users_attention.transfer_weight"
    assert not torch.equal(first.state_dict()[weights], second.state_dict()[weights])


def test_a_full_batch_epoch_is_one_adam_step(interactions, monkeypatch):
    """Each epoch is one step (a mini-batch epoch over the same rows takes several)."""
    request = request_for(interactions, [])
    method, state = prepared(request)
    model = method.ensemble(state, state.members, request.train_rows, request)
    steps, adam_step = [], torch.optim.Adam.step

    def counted(self, *args, **kwargs):
        steps.append(1)
        return adam_step(self, *args, **kwargs)

    monkeypatch.setattr(torch.optim.Adam, "step", counted)
    train_aggregator(model, request.train_rows, 3, 0.05, None, 0.0, torch.Generator())
    assert len(steps) == 3


def test_the_aggregator_trains_full_batch_unless_a_positive_batch_is_given():
    assert METHODS["receraser"]({}).config.aggregator_batch_size is None
    with pytest.raises(ValueError, match="aggregator_batch_size"):
        METHODS["receraser"]({"aggregator_batch_size": 0})


def test_a_full_batch_aggregator_builds_the_rows_pattern_once(interactions, monkeypatch):
    """Every full-batch epoch scores the same rows: their pattern is built once, and the
    result is bitwise that of building it anew at every step (``row_losses``)."""
    request = request_for(interactions, [])
    method, state = prepared(request)
    built, pattern_init = [], RowPattern.__init__

    def counted(self, *args, **kwargs):
        built.append(1)
        pattern_init(self, *args, **kwargs)

    monkeypatch.setattr(RowPattern, "__init__", counted)
    once = method.ensemble(state, state.members, request.train_rows, request)
    train_aggregator(once, request.train_rows, 3, 0.05, None, 0.0, torch.Generator())
    assert len(built) == 1
    anew = method.ensemble(state, state.members, request.train_rows, request)
    users, items, labels = rows_to_tensors(request.train_rows, anew.device)
    optimizer = torch.optim.Adam(anew.parameters(), lr=0.05)
    anew.train()
    for _ in range(3):
        loss = anew.row_losses(users, items, labels, 0.0).mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    assert len(built) == 4
    for key, value in once.state_dict().items():
        assert torch.equal(value, anew.state_dict()[key]), key
