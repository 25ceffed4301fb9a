"""SISA's averaging ensemble and RecEraser's attention ensemble: scores and round-trips."""

from __future__ import annotations

import math

import pytest
import torch

from recunlearn.models import (
    AttentionEnsemble,
    AveragingEnsemble,
    build_backbone,
    model_from_payload,
    model_payload,
)
from recunlearn.models.attention import RowPairs, pair_logits
from recunlearn.models.averaging import logit_of_mean_probability
from recunlearn.models.config import TrainConfig

WIDE = TrainConfig(embedding_dim=4, init_std=0.5)  # LightGCN: its default n_layers


def members(interactions, backbone: str, count: int = 3):
    return [
        build_backbone(backbone, 24, 18, WIDE, interactions, torch.Generator().manual_seed(s))
        for s in range(count)
    ]


def attention(interactions, backbone: str) -> AttentionEnsemble:
    shards = members(interactions, backbone)
    positive = interactions[interactions["label"] == 1]
    return AttentionEnsemble(
        torch.stack([m.user_embedding.detach() for m in shards]),
        torch.stack([m.item_embedding.detach() for m in shards]),
        8,
        shards[0].graph_hops,
        torch.as_tensor(positive["user"].to_numpy(copy=True)),
        torch.as_tensor(positive["item"].to_numpy(copy=True)),
        torch.Generator().manual_seed(4),
    )


def test_logit_of_mean_probability_on_a_hand_worked_pair():
    # sigmoid(0) = 0.5, sigmoid(log 3) = 0.75: mean 0.625, logit log(0.625 / 0.375) = log(5/3)
    logits = torch.tensor([[0.0], [math.log(3.0)]], dtype=torch.float64)
    assert float(logit_of_mean_probability(logits)) == pytest.approx(math.log(5.0 / 3.0))


def test_logit_of_mean_probability_stays_finite_where_sigmoid_saturates():
    logits = torch.tensor([[40.0, -40.0], [40.0, -60.0]])
    values = logit_of_mean_probability(logits)
    assert torch.isfinite(values).all()
    assert float(values[0]) == pytest.approx(40.0, abs=1e-4)
    # mean of e^-40 and e^-60 ~ e^-40 / 2: logit ~ -40 - log 2
    assert float(values[1]) == pytest.approx(-40.0 - math.log(2.0), abs=1e-3)


@pytest.mark.parametrize("backbone", ["mf", "lightgcn"])
def test_averaging_ensemble_round_trips_through_its_payload(interactions, backbone):
    model = AveragingEnsemble(members(interactions, backbone))
    again = model_from_payload(model_payload(model))
    assert isinstance(again, AveragingEnsemble)
    with torch.no_grad():
        assert torch.equal(
            again.scorer().users(torch.arange(24)), model.scorer().users(torch.arange(24))
        )


@pytest.mark.parametrize("backbone", ["mf", "lightgcn"])
def test_attention_ensemble_round_trips_through_its_payload(interactions, backbone):
    model = attention(interactions, backbone)
    with torch.no_grad():
        model.users_attention.transfer_bias.add_(0.1)  # not the initial state
    again = model_from_payload(model_payload(model))
    assert isinstance(again, AttentionEnsemble) and again.n_layers == model.n_layers
    with torch.no_grad():
        users = torch.arange(24)
        assert torch.equal(again.scorer().users(users), model.scorer().users(users))


def test_attention_pairs_and_users_agree_and_the_loss_matches_the_scores(interactions):
    model = attention(interactions, "lightgcn")
    users, items = torch.tensor([0, 5, 9]), torch.tensor([1, 2, 17])
    labels = torch.tensor([1.0, 0.0, 1.0])
    with torch.no_grad():
        scorer = model.scorer()
        pairs = scorer.pairs(users, items)
        torch.testing.assert_close(pairs, scorer.users(users)[torch.arange(3), items])
        expected = torch.nn.functional.binary_cross_entropy_with_logits(
            pairs, labels, reduction="none"
        )
        torch.testing.assert_close(model.row_losses(users, items, labels, 0.0), expected)


def test_attention_training_moves_only_the_aggregator(interactions):
    model = attention(interactions, "mf")
    frozen = model.user_members.clone()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
    rows = interactions.iloc[:64]
    loss = model.row_losses(
        torch.as_tensor(rows["user"].to_numpy(copy=True)),
        torch.as_tensor(rows["item"].to_numpy(copy=True)),
        torch.as_tensor(rows["label"].to_numpy(copy=True), dtype=torch.float32),
        0.0,
    ).mean()
    loss.backward()
    optimizer.step()
    assert torch.equal(model.user_members, frozen)
    assert "user_members" not in dict(model.named_parameters())


@pytest.mark.parametrize("with_pattern", [True, False], ids=["pattern", "indexing"])
def test_pair_logits_match_indexing_in_value_and_gradient(with_pattern):
    """The pattern's sampled logits and CSR backward equal indexing's (repeated rows add
    up), to float rounding."""
    generator = torch.Generator().manual_seed(3)
    users_table = torch.randn(6, 4, generator=generator, requires_grad=True)
    items_table = torch.randn(5, 4, generator=generator, requires_grad=True)
    users, items = torch.tensor([0, 2, 2, 5, 0, 2]), torch.tensor([1, 4, 4, 0, 1, 3])
    pairs = RowPairs.of(users, items, 6, 5)
    pairs = pairs if with_pattern else pairs._replace(pattern=None)
    weights = torch.randn(6, generator=generator)
    reference = (users_table[users] * items_table[items]).sum(-1)
    logits = pair_logits(users_table, items_table, pairs)
    torch.testing.assert_close(logits, reference, rtol=1e-6, atol=1e-6)
    expected = torch.autograd.grad((reference * weights).sum(), (users_table, items_table))
    got = torch.autograd.grad((logits * weights).sum(), (users_table, items_table))
    for want, have in zip(expected, got, strict=True):
        torch.testing.assert_close(have, want, rtol=1e-6, atol=1e-6)
    assert torch.count_nonzero(got[0][[1, 3, 4]]) == 0  # users without a row get none
    assert torch.count_nonzero(got[1][[2]]) == 0  # nor items


def test_the_ensembles_cpu_loss_takes_the_sparse_backward(interactions):
    model = attention(interactions, "mf")
    rows = interactions.iloc[:16]
    users, items = (torch.as_tensor(rows[c].to_numpy()) for c in ("user", "item"))
    loss = model.row_losses(users, items, torch.as_tensor(rows["label"].to_numpy()), 0.0)
    seen, stack = set(), [loss.grad_fn]
    while stack:
        node = stack.pop()
        if node is not None and node not in seen:
            seen.add(node)
            stack.extend(next_node for next_node, _ in node.next_functions)
    assert any(type(node).__name__ == "PatternLogitsBackward" for node in seen)
