"""Device and thread settings, resolved once per node and passed down explicitly."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from recunlearn.errors import ParameterError
from recunlearn.execution.dask_executor import scheduler_address
from recunlearn.execution.executors import EXECUTOR_CHOICES, LOCAL_EXECUTORS

if TYPE_CHECKING:
    import torch


class RuntimeConfig(BaseModel):
    """Where and how wide torch runs."""

    model_config = ConfigDict(extra="forbid")

    device: Literal["auto", "cpu", "cuda"] = "auto"
    """``auto`` takes CUDA when present, else the CPU."""
    threads: int = Field(1, ge=1)
    """torch intra-op threads on the CPU; recorded next to every timing."""
    executor: str = "processes"
    """Where shards and user groups train: ``inprocess`` (this process), ``processes``
    (a local process pool) or ``dask://host:port`` (the Dask scheduler there)."""
    stack_shards: bool = False
    """Train the sub-models of one backbone that share a schedule as one stacked model
    (one step for all: for a GPU, where a small model's step is mostly kernel launches);
    the bundles run on ``executor`` like single shards. Results are bit-identical."""
    workers: int = Field(2, ge=1)
    """Worker processes of the ``processes`` executor."""

    @field_validator("executor")
    @classmethod
    def _known_executor(cls, value: str) -> str:
        if value in LOCAL_EXECUTORS:
            return value
        if value == "stacked":
            raise ValueError(
                "runtime.executor 'stacked' is now runtime.stack_shards: true, "
                "which works with every executor (e.g. executor: inprocess)"
            )
        if not value.startswith("dask://"):
            raise ValueError(f"runtime.executor must be {EXECUTOR_CHOICES}, got {value!r}")
        scheduler_address(value)
        return value


def resolve_device(name: str) -> torch.device:
    """The torch device for ``auto`` / ``cpu`` / ``cuda``."""
    import torch  # imported where used: the parameter check needs only RuntimeConfig

    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ParameterError("parameter 'runtime.device' is 'cuda' but CUDA is not available")
    return torch.device(name)


def apply_runtime(config: RuntimeConfig) -> torch.device:
    """Set torch's thread count and return the resolved device."""
    import torch

    torch.set_num_threads(config.threads)
    return resolve_device(config.device)
