"""A seeded synthetic interaction table of any size, for scaling studies.

Who interacts with what follows power laws, as in real feedback logs: user u is
active in proportion to r_u^-a and item i is popular in proportion to r_i^-b, with
r a random rank 1..n (Zipf weights; ``activity_exponent`` a, ``popularity_exponent``
b). Distinct (user, item) pairs are drawn from the product of the two distributions
until ``n_interactions`` are found (a pair drawn twice counts once, so the most
active users are capped by the number of items).

Labels come from a latent-factor model, the generative story behind MF: users and
items get factors p_u, q_i ~ N(0, I / sqrt(d)) and y_ui ~ Bernoulli(sigmoid(s p_u.q_i
+ c)) with ``signal`` s and ``bias`` c, so a recommender can learn them and a
perfect one reaches the Bayes AUC, not 1.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, PositiveInt, model_validator

from recunlearn.errors import ParameterError
from recunlearn.seeding import numpy_rng

NAME = re.compile(r"^synthetic(?:-(\d+(?:\.\d+)?(?:e\d+)?))?$")


class SyntheticConfig(BaseModel):
    """Sizes and shape of a synthetic interaction table."""

    model_config = ConfigDict(extra="forbid")

    n_interactions: PositiveInt = 100_000
    """Distinct (user, item) rows."""
    n_users: PositiveInt | None = None
    """Users; None: n_interactions / 50, rounded up (at least 100)."""
    n_items: PositiveInt | None = None
    """Items; None: n_interactions / 100, rounded up (at least 100)."""
    activity_exponent: float = Field(0.8, ge=0)
    """Zipf exponent a of user activity (0: uniform)."""
    popularity_exponent: float = Field(0.8, ge=0)
    """Zipf exponent b of item popularity (0: uniform)."""
    factors: PositiveInt = 16
    """Dimension d of the latent factors behind the labels."""
    signal: float = Field(3.0, ge=0)
    """Scale s of the latent score in the label's logit."""
    bias: float = 0.0
    """Offset c of the label's logit (0: about half the rows are positive)."""
    seed: int = 0
    """Seed of every random draw (through ``recunlearn.seeding``)."""

    @model_validator(mode="after")
    def _sizes(self) -> SyntheticConfig:
        if self.n_users is None:
            self.n_users = max(100, -(-self.n_interactions // 50))
        if self.n_items is None:
            self.n_items = max(100, -(-self.n_interactions // 100))
        if self.n_users * self.n_items < 2 * self.n_interactions:
            raise ValueError(
                f"n_users * n_items = {self.n_users * self.n_items} leaves too few pairs for "
                f"{self.n_interactions} distinct interactions (need at least twice as many)"
            )
        return self


def zipf_weights(n: int, exponent: float, rng: np.random.Generator) -> np.ndarray:
    """Probabilities proportional to rank^-exponent, ranks shuffled over the ids."""
    ranks = rng.permutation(n) + 1.0
    weights = ranks**-exponent
    return weights / weights.sum()


def distinct_pairs(cfg: SyntheticConfig, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n_interactions`` distinct (user, item) pairs from the two power laws, in draw order."""
    users_p = zipf_weights(cfg.n_users, cfg.activity_exponent, rng)
    items_p = zipf_weights(cfg.n_items, cfg.popularity_exponent, rng)
    keys = np.empty(0, dtype=np.int64)
    for _ in range(50):
        missing = cfg.n_interactions - len(keys)
        draws = int(missing * 1.5) + 1000
        users = rng.choice(cfg.n_users, size=draws, p=users_p)
        items = rng.choice(cfg.n_items, size=draws, p=items_p)
        candidates = np.concatenate([keys, users.astype(np.int64) * cfg.n_items + items])
        _, first = np.unique(candidates, return_index=True)
        keys = candidates[np.sort(first)][: cfg.n_interactions]
        if len(keys) == cfg.n_interactions:
            return keys // cfg.n_items, keys % cfg.n_items
    raise ParameterError(
        f"synthetic dataset: found {len(keys)} of {cfg.n_interactions} distinct pairs; lower "
        "activity_exponent / popularity_exponent or raise n_users / n_items"
    )


def latent_labels(
    users: np.ndarray, items: np.ndarray, cfg: SyntheticConfig, rng: np.random.Generator
) -> np.ndarray:
    """y_ui ~ Bernoulli(sigmoid(signal * p_u.q_i + bias)) as int8, in blocks of 2^20 rows."""
    scale = cfg.factors**-0.25
    user_factors = rng.standard_normal((cfg.n_users, cfg.factors), dtype=np.float32) * scale
    item_factors = rng.standard_normal((cfg.n_items, cfg.factors), dtype=np.float32) * scale
    labels = np.empty(len(users), dtype=np.int8)
    for start in range(0, len(users), 1 << 20):
        block = slice(start, start + (1 << 20))
        score = np.einsum("ij,ij->i", user_factors[users[block]], item_factors[items[block]])
        probability = 1.0 / (1.0 + np.exp(-(cfg.signal * score + cfg.bias)))
        labels[block] = rng.random(len(probability)) < probability
    return labels


def synthetic_interactions(cfg: SyntheticConfig) -> pd.DataFrame:
    """The labelled table: int64 ``user``, ``item`` (ids 0..n-1), int8 ``label``, in draw order."""
    users, items = distinct_pairs(cfg, numpy_rng(cfg.seed, "synthetic", "pairs"))
    labels = latent_labels(users, items, cfg, numpy_rng(cfg.seed, "synthetic", "labels"))
    return pd.DataFrame({"user": users, "item": items, "label": labels})


def synthetic_raw_ratings(cfg: SyntheticConfig) -> pd.DataFrame:
    """The table in the standard raw format: string tokens, rating = label, timestamp = draw."""
    table = synthetic_interactions(cfg)
    return pd.DataFrame(
        {
            "user": table["user"].astype(str),
            "item": table["item"].astype(str),
            "rating": table["label"].astype("float64"),
            "timestamp": np.arange(len(table), dtype="float64"),
        }
    )


def synthetic_config_for(name: str) -> SyntheticConfig | None:
    """The configuration a dataset name asks for: ``synthetic`` (10^5 rows) or
    ``synthetic-<rows>`` (e.g. ``synthetic-1e6``); None for any other name."""
    match = NAME.match(name)
    if match is None:
        return None
    rows = float(match.group(1)) if match.group(1) else 100_000
    if rows < 1 or rows != int(rows):
        raise ParameterError(f"parameter 'dataset': {name!r} must name a whole number of rows")
    return SyntheticConfig(n_interactions=int(rows))
