"""LiRA: hand-worked Gaussians and scores; members of an over-fitted model are found;
rows no model trained on are found at the false-positive rate only."""

from __future__ import annotations

import math

import numpy as np
import pytest

from recunlearn.audits.lira import (
    Gaussians,
    fit_gaussians,
    half_memberships,
    label_logits,
    ratio_scores,
    tail_scores,
    tpr_at_fpr,
)
from recunlearn.audits.references import lira_audit, train_references
from tests.audits.conftest import CONFIG, RUNNER, SHAPE, random_rows


def test_gaussian_fit_by_hand():
    statistics = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    use = np.array([[True, False], [True, True], [False, True]])
    fitted = fit_gaussians(statistics, use)
    np.testing.assert_allclose(fitted.mean, [2.0, 5.0])
    np.testing.assert_allclose(fitted.std, [1.0, 1.0])


def test_scores_by_hand():
    inside, out = (
        Gaussians(np.array([2.0]), np.array([1.0])),
        Gaussians(np.array([0.0]), np.array([2.0])),
    )
    x = np.array([2.0])
    # log N(2; 2, 1) - log N(2; 0, 2) = -log(1) - (-1/2 - log 2) = 1/2 + log 2
    np.testing.assert_allclose(ratio_scores(x, inside, out), [0.5 + math.log(2.0)])
    np.testing.assert_allclose(tail_scores(x, out), [0.8413447460685429])  # Phi(1)


def test_label_logits_sign_by_label():
    np.testing.assert_allclose(label_logits(np.array([2.0, -3.0]), np.array([1, 0])), [2.0, 3.0])


def test_tpr_at_fpr_by_hand():
    non_members = np.arange(1, 11) / 10  # 0.1 .. 1.0: at FPR 0.1 the threshold is 0.9
    members = np.array([0.95, 0.5, 0.92, 1.0])
    assert tpr_at_fpr(members, non_members, 0.1) == 0.75
    assert tpr_at_fpr(members, non_members, 0.0) == 0.0


def test_each_row_in_exactly_half_of_the_models():
    member = half_memberships(50, 16, np.random.default_rng(0))
    assert member.shape == (16, 50) and (member.sum(axis=0) == 8).all()
    assert len({tuple(column) for column in member.T}) > 40  # not the same halves for all
    with pytest.raises(ValueError, match="even"):
        half_memberships(5, 3, np.random.default_rng(0))


@pytest.fixture(scope="module")
def references(pool):
    membership = half_memberships(len(pool), 16, np.random.default_rng(1))
    return train_references(RUNNER, SHAPE, CONFIG, pool, membership, seed=0, epochs=60)


def test_members_of_an_over_fitted_model_are_found(pool, references):
    inside = np.random.default_rng(2).random(len(pool)) < 0.5
    target = train_references(
        RUNNER, SHAPE, CONFIG, pool, np.stack([inside, ~inside]), seed=1, epochs=60
    ).models[0]
    table = lira_audit(
        {"target": target}, references, np.flatnonzero(inside), np.flatnonzero(~inside)
    ).set_index("score")
    for score in ("tail", "ratio"):
        assert table.loc[score, "tpr@0.01"] > 0.05, table  # five times the FPR at least
        assert table.loc[score, "auc"] > 0.8, table


def test_rows_no_model_trained_on_are_found_at_the_fpr_only(pool, references):
    from tests.audits.conftest import random_rows

    elsewhere = random_rows(1600, seed=9)
    pooled = set(zip(pool["user"], pool["item"], strict=True))
    elsewhere = elsewhere[
        [p not in pooled for p in zip(elsewhere["user"], elsewhere["item"], strict=True)]
    ]
    inside = np.ones((1, len(elsewhere)), dtype=bool)
    target = train_references(RUNNER, SHAPE, CONFIG, elsewhere, inside, seed=3, epochs=60).models[0]
    halves = np.random.default_rng(4).permutation(len(pool))
    members, non_members = halves[:600], halves[600:]
    table = lira_audit({"target": target}, references, members, non_members, (0.1,))
    error = 3 * math.sqrt(2 * 0.1 * 0.9 / 600)  # members' rate and the threshold's
    assert (abs(table["tpr@0.1"] - 0.1) < error).all(), table
    assert (abs(table["auc"] - 0.5) < 0.06).all(), table


def test_audit_pool_appends_held_out_rows_flipped_and_matched_to_the_forget_rows(pool):
    from recunlearn.audits.matching import strata
    from recunlearn.audits.non_members import non_member_candidates
    from recunlearn.audits.references import audit_pool

    marked = pool.copy()
    marked["forget"] = np.arange(len(pool)) % 10 == 0
    held = random_rows(1600, seed=12).iloc[:400].reset_index(drop=True)
    flipped = non_member_candidates("label_flip", marked, held, np.random.default_rng(1))
    rows, members, non_members = audit_pool(marked, flipped, np.random.default_rng(0))
    assert rows.iloc[: len(pool)][["user", "item", "label"]].equals(pool)
    assert marked["forget"].to_numpy()[members].all() and len(members) == len(non_members)
    assert (non_members >= len(pool)).all()
    appended = rows.iloc[non_members].merge(held, on=["user", "item"], suffixes=("", "_held"))
    assert len(appended) == len(non_members)
    assert (appended["label"] == 1 - appended["label_held"]).all()  # flipped like D_r
    same = np.sort(strata(rows.iloc[members], marked)) == np.sort(
        strata(rows.iloc[non_members], marked)
    )
    assert same.all()
    plain, _, unflipped = audit_pool(marked, held, np.random.default_rng(0))
    assert (
        plain.iloc[unflipped]["label"].to_numpy() == 1 - rows.iloc[non_members]["label"].to_numpy()
    ).all()
