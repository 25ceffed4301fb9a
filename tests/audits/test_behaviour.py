"""Behavioural checks against hand-worked lists and logits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recunlearn.audits.behaviour import (
    fake_exposure,
    genre_share,
    group_ndcg,
    poison_agreement,
)
from tests.audits.conftest import TableModel


def test_poison_agreement_by_hand():
    model = TableModel([[3.0, -1.0, 0.5], [-2.0, 1.0, -0.5]])
    flipped = pd.DataFrame({"user": [0, 0, 1, 1], "item": [0, 1, 1, 2], "label": [1, 0, 0, 0]})
    # predicted labels 1, 0, 1, 0 against 1, 0, 0, 0: rows 0, 1 and 3 agree
    assert poison_agreement(model, flipped) == 0.75


def test_fake_exposure_by_hand():
    top = np.array([[3, 5, 7], [1, 2, 4]])
    fakes = pd.DataFrame({"user": [10, 10, 20], "item": [5, 9, 4]})
    out = fake_exposure(top, np.array([10, 20]), fakes)
    assert out == {"fake_share": pytest.approx(2 / 3), "fake_mean_rank": 2.5}  # ranks 2 and 3
    none = fake_exposure(top, np.array([10, 20]), fakes.iloc[[1]])
    assert none["fake_share"] == 0 and np.isnan(none["fake_mean_rank"])


def test_genre_share_by_hand():
    assert genre_share(np.array([[3, 5, 7], [1, 2, 4]]), np.array([5, 1, 99])) == 2 / 6


def test_group_ndcg_by_hand():
    top = np.array([[1, 2], [3, 4], [5, 6]])
    test = pd.DataFrame({"user": [0, 1, 2, 2], "item": [2, 3, 9, 5], "label": [1, 1, 1, 0]})
    groups = pd.Series({0: "F", 1: "M", 2: "M"})
    out = group_ndcg(top, np.array([0, 1, 2]), test, groups, k=2)
    # F: user 0's one relevant item at rank 2 -> 1/log2(3); M: user 1 at rank 1 -> 1, user 2 -> 0
    assert out == {"F": pytest.approx(1 / np.log2(3)), "M": pytest.approx(0.5)}


def test_demographic_ndcg_and_the_gap_change_from_original():
    from recunlearn.audits.fairness import demographic_ndcg, with_gap_changes

    top = np.array([[1, 2], [3, 4], [5, 6]])
    test = pd.DataFrame({"user": [0, 1, 2], "item": [2, 3, 6], "label": [1, 1, 1]})
    groups = pd.DataFrame(
        {"user": [0, 1, 2], "gender": ["M", "F", "F"], "age_band": ["<18", "<18", "56+"]}
    )
    out = demographic_ndcg(top, np.array([0, 1, 2]), test, groups, k=2)
    half = 1 / np.log2(3)  # a relevant item at rank 2
    # M: user 0 -> half; F: users 1 (rank 1) and 2 (rank 2) -> (1 + half) / 2; the gap
    # is the best group's minus the worst's, whichever comes first
    assert out["ndcg@2 gender=M"] == pytest.approx(half)
    assert out["ndcg@2 gender=F"] == pytest.approx((1 + half) / 2)
    assert out["gender_gap"] == pytest.approx((1 + half) / 2 - half)
    assert out["age_band_gap"] == pytest.approx((half + 1) / 2 - half)
    bands = [key for key in out if "age_band=" in key]
    assert bands == ["ndcg@2 age_band=<18", "ndcg@2 age_band=56+"]  # youngest first
    table = pd.DataFrame({"model": ["original", "retrain"], "gender_gap": [0.1, 0.25]})
    changed = with_gap_changes(table)
    assert changed["gender_gap_change"].tolist() == pytest.approx([0.0, 0.15])
    assert "age_band_gap_change" not in changed


def test_user_ndcg_agrees_with_the_evaluation_s_ndcg_per_user():
    from recunlearn.audits.behaviour import user_ndcg
    from recunlearn.evaluation.ranking import ndcg_at_k

    rng = np.random.default_rng(0)
    top = np.stack([rng.permutation(30)[:8] for _ in range(25)])
    users = np.arange(25)
    test = pd.DataFrame(
        {"user": rng.integers(0, 25, 120), "item": rng.integers(0, 30, 120)}
    ).drop_duplicates()
    test["label"] = rng.integers(0, 2, len(test))
    positives = test[test["label"] == 1].groupby("user")["item"].apply(set)
    values = user_ndcg(top, users, test, k=5)
    for user in users:
        relevant = positives.get(user, set())
        if relevant:
            assert values[user] == pytest.approx(ndcg_at_k(top[[user]], [relevant], 5))
        else:
            assert np.isnan(values[user])
