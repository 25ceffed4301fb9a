"""What a request stream cost, and when retraining from scratch wins (no torch, no files).

- :func:`request_log`: one row per request: its seconds, the cumulative seconds with the
  preparation counted once, and the shards / groups / stages it retrained.
- :func:`retrain_seconds_per_request`: the matched retrains' measured times at the
  checkpoints, interpolated linearly to every request count (held flat outside them).
- :func:`amortised_table`: per method, the stream's total time against K retrains (one
  after each request) and two points where retraining from scratch wins, each the first
  checkpoint at which the method's distance from the matched Retrain exceeds a reference:

  - ``retrain_now_at`` (the issue's definition): Retrain*'s own distance from Retrain
    (same data, another batch order), the noise of retraining itself. On ML-100K it is
    tiny (about 5e-4 in ``pred_distance_forget``), so any approximate update crosses it
    at the first checkpoint;
  - ``worse_than_original_at``: Original's own distance from that checkpoint's Retrain,
    the point where doing nothing would have been as good as the method.

  Both are reported at the checkpoints' resolution: ``stream.checkpoints: [1, ..., K]``
  gives the exact request, at the cost of K matched retrains.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

APPROXIMATE = ("influence", "fine-tuning")
"""The families with retrain-now points: exact methods answer as if prepared from scratch
(their distance from Retrain is their design's, e.g. an ensemble of shards, and does not
grow with the requests)."""
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


def worse_than_original_point(
    drift: Mapping[int, float], original: Mapping[int, float]
) -> int | None:
    """The first checkpoint whose drift exceeds Original's distance from the same
    checkpoint's Retrain (``original``), or None; checkpoints Original lacks are skipped."""
    for count in sorted(drift):
        if count in original and drift[count] > original[count]:
            return int(count)
    return None


def _point(value: int | None) -> float:
    return np.nan if value is None else float(value)


def amortised_table(
    logs: Mapping[str, pd.DataFrame],
    checkpoint_seconds: Mapping[int, float],
    drift: Mapping[str, Mapping[int, float]],
    reference: float,
    original: Mapping[int, float] | None = None,
) -> pd.DataFrame:
    """Per method: stream seconds, K retrains' seconds, their ratio (the amortised speed-up:
    above 1, the stream is cheaper), and, where ``drift`` has the method, its retrain-now
    point (beyond ``reference``, Retrain*'s distance) and the point where it is worse than
    ``original`` (Original's distance per checkpoint; none given: never)."""
    rows = []
    for method, log in logs.items():
        n_requests = len(log)
        retrains = float(retrain_seconds_per_request(checkpoint_seconds, n_requests).sum())
        total = float(log["cumulative_seconds"].iloc[-1])
        own = drift.get(method, {})
        rows.append(
            {
                "method": method,
                "requests": n_requests,
                "stream_seconds": total,
                "k_retrain_seconds": retrains,
                "amortised_speedup": retrains / total if total > 0 else np.inf,
                "retrain_now_at": _point(retrain_now_point(own, reference)),
                "worse_than_original_at": _point(worse_than_original_point(own, original or {})),
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
