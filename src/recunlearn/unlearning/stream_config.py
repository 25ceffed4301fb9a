"""Settings of a request stream (``stream:`` in the parameters), importable without torch."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, model_validator

from recunlearn.parameters import PoisoningConfig

DEFAULT_REQUEST = PoisoningConfig(kind="user_wise", selection="rand", user_count=5)


class StreamConfig(BaseModel):
    """K disjoint requests of one kind, and the checkpoints where Retrain is matched."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    """true: ``kedro run`` also runs the ``stream`` pipeline (``--pipelines=stream`` always can)."""
    n_requests: PositiveInt = 8
    """K, the requests of the stream."""
    request: PoisoningConfig = DEFAULT_REQUEST
    """Each request's kind and size, as ``poisoning`` states a single one."""
    checkpoints: list[int] | None = None
    """Request counts (1..K, increasing) after which Retrain is matched and the models
    kept; ``null``: after K/4, K/2, 3K/4 and K (rounded up, duplicates dropped)."""
    drift_metric: str = Field("pred_distance_forget", min_length=1)
    """The evaluation metric whose distance from Retrain is the drift (lower: closer)."""

    @model_validator(mode="after")
    def _request_streams(self) -> StreamConfig:
        """A ``category`` request needs the item genres, which the stream's draw does not
        read: refused by name before anything runs."""
        if self.request.kind == "category":
            raise ValueError(
                "stream.request.kind: 'category' requests cannot be streamed (the stream "
                "draws without the item genres); use user_wise, label_flip, private or "
                "noise_injection"
            )
        return self

    @model_validator(mode="after")
    def _checkpoints_fit(self) -> StreamConfig:
        given = self.checkpoints
        if given is None:
            return self
        if not given or any(not 1 <= c <= self.n_requests for c in given):
            raise ValueError(
                f"stream.checkpoints: each must lie in 1..{self.n_requests} "
                f"(stream.n_requests), got {given}"
            )
        if any(b <= a for a, b in zip(given, given[1:], strict=False)):
            raise ValueError(f"stream.checkpoints: must be increasing, got {given}")
        return self

    def checkpoint_counts(self) -> list[int]:
        """The request counts after which the stream is checked, in order."""
        if self.checkpoints is not None:
            return list(self.checkpoints)
        quarters = (-(-self.n_requests * q // 4) for q in (1, 2, 3, 4))
        return sorted(set(quarters))
