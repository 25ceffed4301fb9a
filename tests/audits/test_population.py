"""The population attack: AUC about 0.5 on random parameters, well above on an over-fitted
model; popularity matching removes what popularity alone would give away."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recunlearn.audits.matching import match_groups, strata
from recunlearn.audits.population import population_audit
from recunlearn.audits.references import train_references
from recunlearn.predictions import auc
from tests.audits.conftest import CONFIG, RUNNER, SHAPE, random_rows


@pytest.fixture(scope="module")
def marked(pool) -> pd.DataFrame:
    out = pool.copy()
    out["forget"] = np.random.default_rng(5).random(len(out)) < 0.25
    return out


def trained_on(rows: pd.DataFrame, epochs: int, seed: int):
    every = np.ones((1, len(rows)), dtype=bool)
    return train_references(RUNNER, SHAPE, CONFIG, rows, every, seed, epochs).models[0]


def test_attack_auc_near_half_on_random_parameters_above_on_over_fitted(marked, pool):
    held = random_rows(1600, seed=11)
    pooled = set(zip(pool["user"], pool["item"], strict=True))
    held = held[[p not in pooled for p in zip(held["user"], held["item"], strict=True)]]
    original = trained_on(marked, epochs=60, seed=0)
    models = {"original": original, "random": trained_on(marked, epochs=0, seed=1)}
    table = population_audit(original, models, marked, held, seed=0).set_index("model")
    assert table.loc["original", "population_auc"] > 0.75, table
    assert abs(table.loc["random", "population_auc"] - 0.5) < 0.1, table
    assert table.loc["original", "n_members"] > 150, table
    # non-members drawn like D_r that none of D_r matches: undefined, not an error
    none = population_audit(original, models, marked, held, seed=0, candidates=held.head(0))
    assert none["population_auc"].isna().all() and (none["n_members"] == 0).all()


def skewed_rows(items: np.ndarray, n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"user": rng.integers(0, 40, n), "item": rng.choice(items, n), "label": 1})


def test_matching_equalises_popularity_that_alone_would_separate_the_groups():
    train = pd.concat([skewed_rows(np.arange(10), 900, 0), skewed_rows(np.arange(40), 300, 1)])
    members = skewed_rows(np.arange(12), 300, 2)  # mostly the popular items
    candidates = skewed_rows(np.arange(40), 600, 3)  # every item alike
    popularity = train["item"].value_counts()

    def popularity_auc(a: pd.DataFrame, b: pd.DataFrame) -> float:
        scores = np.r_[a["item"].map(popularity), b["item"].map(popularity)]
        return auc(np.r_[np.ones(len(a)), np.zeros(len(b))], np.nan_to_num(scores))

    assert popularity_auc(members, candidates) > 0.7  # popularity alone gives members away
    kept, matched = match_groups(members, candidates, train, np.random.default_rng(0))
    assert len(kept) == len(matched) > 50
    a, b = members.iloc[kept], candidates.iloc[matched]
    assert (np.sort(strata(a, train)) == np.sort(strata(b, train))).all()
    assert abs(popularity_auc(a, b) - 0.5) < 0.05
