import numpy as np
import pandas as pd
import pytest
import torch

from recunlearn.influence.neighbourhood import Neighbourhoods, prune, spillover_rows
from recunlearn.models import build_backbone, positive_edges
from recunlearn.models.config import LightGCNConfig

from ..conftest import checkerboard


def rows(pairs, forget=(), labels=None):
    frame = pd.DataFrame(pairs, columns=["user", "item"])
    frame["label"] = 1 if labels is None else labels
    frame["forget"] = [i in forget for i in range(len(frame))]
    return frame


def walk(train, n_users, n_items, ratios, positive_only=True):
    neighbourhoods = Neighbourhoods.of(train, n_users, n_items, positive_only)
    return prune(train[train["forget"]], neighbourhoods, ratios)


def test_pruning_scores_follow_algorithm_1_by_hand():
    # u0-i0 is forgotten; u0 has 2 rows, i0 has 3 (u0, u1, u2); u1 has 1, u2 has 2 (i0, i1).
    train = rows([(0, 0), (0, 1), (1, 0), (2, 0), (2, 1)], forget=[0])
    # s0: u0 = 1/2, i0 = 1/3 ; a_0 = 0.5 keeps u0 only.
    only_top = walk(train, 3, 2, [0.5])
    assert only_top.users.tolist() == [0] and only_top.items.tolist() == []
    # k=1 from S0={u0,i0}: neighbours of u0: i0 (+1/2 * 1/3), i1 (+1/2 * 1/2);
    # of i0: u0 (+1/3 * 1/2), u1 (+1/3 * 1), u2 (+1/3 * 1/2).
    # s1: u0 = 1/2 + 1/6, u1 = 1/3, u2 = 1/6, i0 = 1/3 + 1/6, i1 = 1/4 -> top 2 of 5: u0, i0.
    top_two = walk(train, 3, 2, [1.0, 0.4])
    assert top_two.users.tolist() == [0] and top_two.items.tolist() == [0]
    everything = walk(train, 3, 2, [1.0, 1.0])
    assert everything.users.tolist() == [0, 1, 2] and everything.items.tolist() == [0, 1]


def test_neighbourhoods_are_the_positive_rows_unless_all_are_asked_for():
    """N_v of Algorithm 1 are v's positive rows (the paper's N_u). u0-i0 is forgotten;
    u0 has positive rows to i0 and i1 and a negative row to i2; i0 has positives from u0
    and u1 and a negative from u2; i2's only rows are negative (from u0 and u3)."""
    pairs = [(0, 0), (0, 1), (0, 2), (1, 0), (2, 0), (3, 2)]
    train = rows(pairs, forget=[0], labels=[1, 1, 0, 1, 0, 0])
    positive = Neighbourhoods.of(train, 4, 3)
    assert positive.inverse_degree().tolist() == [1 / 2, 1, 0, 0, 1 / 2, 1, 0]
    # 1-hop neighbours over positive edges: u0 -> i0, i1 ; i0 -> u0, u1. Exactly these:
    one_hop = walk(train, 4, 3, [1.0, 1.0])
    assert one_hop.users.tolist() == [0, 1] and one_hop.items.tolist() == [0, 1]
    # s1 (positive): u0 = 1/2 + 1/2 * 1/2, u1 = 1/2 * 1, i0 = 1/2 + 1/2 * 1/2, i1 = 1/2 * 1;
    # the negative rows reach u2 (via i0) and i2 (via u0), only under ``all``.
    every = walk(train, 4, 3, [1.0, 1.0], positive_only=False)
    assert every.users.tolist() == [0, 1, 2] and every.items.tolist() == [0, 1, 2]


def test_pruning_ratio_zero_keeps_nothing_at_that_order():
    train = rows([(0, 0), (0, 1), (1, 0)], forget=[0])
    selection = walk(train, 2, 2, [0.0, 1.0])
    assert len(selection.users) == 0 and len(selection.items) == 0


def test_spillover_is_empty_for_mf_and_empty_forget_sets(interactions):
    train = interactions.assign(forget=False)
    train.loc[:4, "forget"] = True
    assert spillover_rows(train, Neighbourhoods.of(train, 24, 18), hops=0).empty
    assert spillover_rows(
        train.assign(forget=False), Neighbourhoods.of(train, 24, 18), hops=1
    ).empty


@pytest.mark.parametrize("hops", [1, 2])
def test_spillover_rows_contain_every_row_whose_prediction_changes(hops):
    data = checkerboard(density=0.4, seed=3)
    train = data.assign(forget=False)
    train.loc[train.index[:6], "forget"] = True
    model = build_backbone(
        "lightgcn",
        24,
        18,
        LightGCNConfig(embedding_dim=4, init_std=0.5, n_layers=hops),
        train,
        torch.Generator().manual_seed(0),
    )
    retain = train[~train["forget"]]
    before = model(
        torch.as_tensor(retain["user"].to_numpy(copy=True)),
        torch.as_tensor(retain["item"].to_numpy(copy=True)),
    )
    model.set_graph(*positive_edges(retain))
    after = model(
        torch.as_tensor(retain["user"].to_numpy(copy=True)),
        torch.as_tensor(retain["item"].to_numpy(copy=True)),
    )
    changed = retain[(before - after).abs().detach().numpy() > 1e-7]
    found = spillover_rows(train, Neighbourhoods.of(train, 24, 18), hops)
    assert set(changed.index) <= set(found.index)
    assert not found["forget"].any()
    assert len(changed) > 0 and np.all(found.index.isin(retain.index))
