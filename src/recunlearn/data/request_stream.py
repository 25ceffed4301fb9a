"""A stream of K disjoint deletion requests, drawn before any method runs.

Request k is drawn with :func:`~recunlearn.data.requests.mark_request` on the rows no
earlier request took, so the requests are disjoint and request k removes its rows from
what remains. The result is D (the training rows, with the label flips and the fake rows
the requests bring) and one ``request`` column: the index of the request that removes
the row, ``-1`` for rows never requested.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recunlearn.data.requests import RequestSpec, mark_request
from recunlearn.errors import ParameterError

NOT_REQUESTED = -1


def _draw_one(
    table: pd.DataFrame, interactions: pd.DataFrame, spec: RequestSpec, k: int, rng
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(``table`` with request ``k`` marked on its unrequested rows, ``interactions``
    with request ``k``'s new rows added, so a later request never fakes them again)."""
    free = np.flatnonzero(table["request"].to_numpy() == NOT_REQUESTED)
    remaining = table.iloc[free].drop(columns="request")
    marked = mark_request(remaining, interactions, spec, rng)
    kept, added = marked.iloc[: len(free)], marked.iloc[len(free) :]
    out = table.copy()
    out.loc[out.index[free], "label"] = kept["label"].to_numpy().astype(out["label"].dtype)
    out.loc[out.index[free[kept["forget"].to_numpy()]], "request"] = k
    if added.empty:
        return out, interactions
    fresh = added.drop(columns="forget").assign(request=k)
    columns = [c for c in interactions.columns if c in fresh.columns]
    return (
        pd.concat([out, fresh[out.columns]], ignore_index=True),
        pd.concat([interactions, fresh[columns]], ignore_index=True),
    )


def draw_request_stream(
    train: pd.DataFrame,
    interactions: pd.DataFrame,
    spec: RequestSpec,
    n_requests: int,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """D with a ``request`` column (int64; ``-1``: kept) for ``n_requests`` requests of
    kind ``spec.kind``, each drawn from the rows the earlier ones left.

    Raises:
        ParameterError: a request cannot be drawn from what remains (too few users
            left for ``user_count``), named by its parameter, as for a single request.
    """
    table = train.reset_index(drop=True).assign(request=NOT_REQUESTED)
    for k in range(n_requests):
        try:
            table, interactions = _draw_one(table, interactions, spec, k, rng)
        except ParameterError as error:
            message = str(error).replace("'poisoning.", "'stream.request.")
            raise ParameterError(f"stream request {k} of {n_requests}: {message}") from error
    table["request"] = table["request"].astype(np.int64)
    return table
