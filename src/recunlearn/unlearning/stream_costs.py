"""What a request stream cost, and when retraining from scratch wins (no torch, no files).

- :func:`request_log`: one row per request: its seconds, the cumulative seconds with the
  preparation counted once, and the shards / groups / stages it retrained.
- :func:`retrain_seconds_per_request`: the matched retrains' measured times at the
  checkpoints, interpolated linearly to every request count (held flat outside them).
- :func:`amortised_table`: per method, the stream's total time against K retrains (one
  after each request) and the retrain-now point: the first checkpoint at which its
  distance from the matched Retrain exceeds Retrain*'s own (``None``: never).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

RETRAINED = ("shards_retrained", "groups_retrained", "stages_retrained")
LOG_COLUMNS = ["request", "requests_done", "seconds", "cumulative_seconds", *RETRAINED]


def request_log(logs: Sequence[Mapping[str, Any]], prepare_seconds: float) -> pd.DataFrame:
    """The per-request table of one method's stream from its outcomes' logs, in order."""
    seconds = np.array([float(log["seconds"]) for log in logs], dtype=float)
    frame = pd.DataFrame(
        {
            "request": np.arange(len(logs), dtype=np.int64),
            "requests_done": np.arange(1, len(logs) + 1, dtype=np.int64),
            "seconds": seconds,
            "cumulative_seconds": float(prepare_seconds) + np.cumsum(seconds),
        }
    )
    for name in RETRAINED:
        frame[name] = [float(log[name]) if name in log else np.nan for log in logs]
    return frame[LOG_COLUMNS]


def retrain_seconds_per_request(
    checkpoint_seconds: Mapping[int, float], n_requests: int
) -> np.ndarray:
    """A retrain's seconds after each of requests 1..K, from the checkpoints' measured ones."""
    counts = sorted(checkpoint_seconds)
    if not counts:
        raise ValueError("stream: no matched retrain time to interpolate")
    seconds = [float(checkpoint_seconds[c]) for c in counts]
    return np.interp(np.arange(1, n_requests + 1), counts, seconds)


def retrain_now_point(drift: Mapping[int, float], reference: float) -> int | None:
    """The first checkpoint (request count) whose drift exceeds ``reference``, or None."""
    for count in sorted(drift):
        if drift[count] > reference:
            return int(count)
    return None


def amortised_table(
    logs: Mapping[str, pd.DataFrame],
    checkpoint_seconds: Mapping[int, float],
    drift: Mapping[str, Mapping[int, float]],
    reference: float,
) -> pd.DataFrame:
    """Per method: stream seconds, K retrains' seconds, their ratio (the amortised speed-up:
    above 1, the stream is cheaper), and the retrain-now point where ``drift`` has it."""
    rows = []
    for method, log in logs.items():
        n_requests = len(log)
        retrains = float(retrain_seconds_per_request(checkpoint_seconds, n_requests).sum())
        total = float(log["cumulative_seconds"].iloc[-1])
        now = retrain_now_point(drift[method], reference) if method in drift else None
        rows.append(
            {
                "method": method,
                "requests": n_requests,
                "stream_seconds": total,
                "k_retrain_seconds": retrains,
                "amortised_speedup": retrains / total if total > 0 else np.inf,
                "retrain_now_at": np.nan if now is None else float(now),
            }
        )
    return pd.DataFrame(rows)


RETRAIN_EVERY_REQUEST = "retrain after every request"


def cumulative_cost_table(
    logs: Mapping[str, pd.DataFrame], checkpoint_seconds: Mapping[int, float]
) -> pd.DataFrame:
    """(method, requests_done, cumulative_seconds) of every stream, and of retraining after
    every request (the interpolated retrain times summed) under ``RETRAIN_EVERY_REQUEST``."""
    frames = [
        log[["requests_done", "cumulative_seconds"]].assign(method=method)
        for method, log in logs.items()
    ]
    n_requests = max((len(log) for log in logs.values()), default=max(checkpoint_seconds))
    retrains = retrain_seconds_per_request(checkpoint_seconds, n_requests)
    frames.append(
        pd.DataFrame(
            {
                "requests_done": np.arange(1, n_requests + 1),
                "cumulative_seconds": np.cumsum(retrains),
                "method": RETRAIN_EVERY_REQUEST,
            }
        )
    )
    return pd.concat(frames, ignore_index=True)[["method", "requests_done", "cumulative_seconds"]]
