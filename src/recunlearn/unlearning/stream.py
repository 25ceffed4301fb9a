"""Deletion requests as a stream: one method answers request after request.

A stream is K disjoint requests over D, given as one request index per row of D
(``-1``: never requested). Request k sees D without the rows of requests 0..k-1, in
D's order, with its own rows marked ``forget``; it starts from the state request k-1
returned (``UnlearningOutcome.next_state``) and, for the methods that continue from
their own model (``continues_from_model``), from request k-1's model as ``original``.
A stream of one request is the single request the method answers on its own.

What a state carries forward is the method's to say: the influence methods keep only
what neither D nor the model fixes (a fixed damping), and the next request forms again
what depends on D (neighbourhoods, degrees) or on the model too (per-row curvature, the
preconditioner's blocks, a Lanczos damping): see
:meth:`recunlearn.unlearning.influence.prepared.InfluenceState.carried`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from recunlearn.errors import DataValidationError
from recunlearn.models.base import Recommender
from recunlearn.unlearning.base import (
    PreparedState,
    UnlearningMethod,
    UnlearningOutcome,
    UnlearningRequest,
)


def check_request_index(request_of_row: np.ndarray, n_rows: int, n_requests: int) -> np.ndarray:
    """The request index of every row of D as int64; refused, by name, when it does not fit."""
    index = np.asarray(request_of_row)
    if index.shape != (n_rows,) or not np.issubdtype(index.dtype, np.integer):
        raise DataValidationError(
            f"stream request index: one integer per row of D ({n_rows}) expected, "
            f"got shape {index.shape} of {index.dtype}"
        )
    if index.size and (index.min() < -1 or index.max() >= n_requests):
        raise DataValidationError(
            f"stream request index: values must lie in -1..{n_requests - 1} "
            f"(got {index.min()}..{index.max()})"
        )
    return index.astype(np.int64)


def stream_request(
    request: UnlearningRequest, request_of_row: np.ndarray, k: int, original: Recommender
) -> UnlearningRequest:
    """Request ``k`` of the stream over D = ``request.train_rows``: the rows of requests
    before ``k`` gone, request ``k``'s rows marked ``forget``, ``original`` as its model."""
    index = np.asarray(request_of_row)
    left = (index < 0) | (index >= k)
    rows = request.train_rows[left].assign(forget=index[left] == k).reset_index(drop=True)
    return replace(request, original=original, train_rows=rows)


def unlearn_stream(
    method: UnlearningMethod,
    state: PreparedState | None,
    request: UnlearningRequest,
    request_of_row: np.ndarray,
    n_requests: int,
) -> Iterator[UnlearningOutcome]:
    """The outcome of each request of the stream, in order (each carries the next state).

    ``request`` holds D (its ``forget`` column is ignored) and Original; ``state`` is
    the method prepared on D.
    """
    index = check_request_index(request_of_row, len(request.train_rows), n_requests)
    original = request.original
    for k in range(n_requests):
        outcome = method.unlearn(state, stream_request(request, index, k, original))
        yield outcome
        state = outcome.next_state
        if method.continues_from_model:
            original = outcome.model
