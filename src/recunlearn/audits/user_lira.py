"""LiRA at the user level, for whole-user requests.

A whole-user request asks whether the model still shows that it saw *the user*. The
reference models then train on random halves of the users (every user, with all of its
rows, in exactly R/2 of them: :func:`user_memberships`), and the non-members are users no
audited model saw: an audit pool of users held out of D. Each row of an audited user is
scored as in :mod:`recunlearn.audits.lira` (its logit against the Gaussians of the
references that did / did not train on its user), and a user's score is the mean of its
rows' scores, so that users with many rows are not favoured.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from recunlearn.audits.lira import attack_summary, half_memberships
from recunlearn.audits.references import References, model_scores
from recunlearn.models.scoring import ScoringModel


def user_memberships(users: np.ndarray, n_models: int, rng: np.random.Generator) -> np.ndarray:
    """(n_models, len(users)) bool over rows: each distinct user in exactly n_models / 2
    reference models, every row following its user."""
    distinct, index = np.unique(users, return_inverse=True)
    return half_memberships(len(distinct), n_models, rng)[:, index]


def per_user(scores: np.ndarray, users: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Mean row score of each user of ``wanted`` (NaN for a user without rows)."""
    means = pd.Series(scores).groupby(users).mean()
    return means.reindex(wanted).to_numpy()


def user_lira_audit(
    models: Mapping[str, ScoringModel],
    references: References,
    members: np.ndarray,
    non_members: np.ndarray,
    fprs: Sequence[float] = (0.01, 0.001),
) -> pd.DataFrame:
    """Both scores of every model: the users ``members`` (the request's) against the users
    ``non_members`` (held out of D), one table row per (model, score); the references'
    pool must hold every row of both groups."""
    pool_users = references.pool["user"].to_numpy()
    audited = np.flatnonzero(np.isin(pool_users, np.r_[members, non_members]))
    users = pool_users[audited]
    return pd.DataFrame(
        [
            {"model": name, "score": score}
            | attack_summary(
                per_user(values, users, members), per_user(values, users, non_members), fprs
            )
            for name, score, values in model_scores(models, references, audited)
        ]
    )
