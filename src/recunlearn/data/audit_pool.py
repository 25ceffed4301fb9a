"""The audit pool: users held out of D so that user-level LiRA has non-member users.

User-level LiRA (:mod:`recunlearn.audits.user_lira`) asks whether a model still shows
that it saw a *user*; its non-members must be users no audited model saw. With
``audits.user_pool`` set to n, n random users of the training split are taken out of
every split right after it is cut: their training rows become the pool (kept for the
audit only), and their validation / test rows are dropped (no model will know them, so
they would only measure cold-start). Their ids stay in the id space, so every model has
an (untrained) row for them and can score them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recunlearn.errors import ParameterError

PARAMETER = "audits.user_pool"


def draw_pool_users(train: pd.DataFrame, n_users: int, rng: np.random.Generator) -> np.ndarray:
    """``n_users`` distinct random users of ``train`` (sorted); at least one user stays.

    Raises:
        ParameterError: ``n_users`` leaves no user in the training split.
    """
    users = np.unique(train["user"].to_numpy())
    if n_users >= len(users):
        raise ParameterError(
            f"parameter '{PARAMETER}' must be below the {len(users)} users of the training "
            f"split (at least one must stay in D), got {n_users}"
        )
    return np.sort(rng.choice(users, size=n_users, replace=False))


def hold_out_users(
    parts: tuple[pd.DataFrame, ...], n_users: int, rng: np.random.Generator
) -> tuple[tuple[pd.DataFrame, ...], pd.DataFrame]:
    """(``parts`` without the pool users, the pool users' rows of ``parts[0]``, the
    training split); with ``n_users`` 0 the parts unchanged and an empty pool."""
    train = parts[0]
    held = draw_pool_users(train, n_users, rng) if n_users else np.array([], dtype=np.int64)
    kept = tuple(part[~part["user"].isin(held)] for part in parts)
    return kept, train[train["user"].isin(held)]
