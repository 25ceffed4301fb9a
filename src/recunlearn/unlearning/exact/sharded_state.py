"""The prepared state of the sharded methods (SISA, RecEraser, C-SISA)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from recunlearn.training.stages import BackboneShape, Parameters
from recunlearn.unlearning.partitions import Partition, partition_from_payload
from recunlearn.unlearning.state import PreparedState


def sliced(checkpoints: tuple[tuple[Parameters, ...], ...]) -> tuple[tuple[Parameters, ...], ...]:
    """``checkpoints`` per shard, or ``()`` when no shard has any (unsliced shards)."""
    return checkpoints if any(checkpoints) else ()


@dataclass(frozen=True, kw_only=True)
class ShardedState(PreparedState):
    """Shards, one sub-model each, and the aggregate learned over them.

    Attributes:
        shape: the backbone every sub-model is.
        partition: the shard of every row of the data the state was learned on.
        members: ``members[s]`` is shard s's sub-model's parameters.
        shard_rows: rows per shard.
        checkpoints: ``checkpoints[s]`` holds shard s's parameters after each of its
            slice stages but the last (SISA with slices; empty tuples otherwise).
        aggregator: what the aggregate learned on top (RecEraser's attention network;
            empty for an average or a per-user choice of sub-model).
        log: the preparation's phase times and executor, for people (the code never
            reads it).
    """

    kind = "sharded"

    shape: BackboneShape
    partition: Partition
    members: tuple[Parameters, ...]
    shard_rows: tuple[int, ...]
    checkpoints: tuple[tuple[Parameters, ...], ...] = ()
    aggregator: Parameters = field(default_factory=dict)
    log: dict[str, Any] = field(default_factory=dict)

    def without(
        self,
        retain: pd.DataFrame,
        labels: np.ndarray,
        retrained: dict[int, Parameters],
        checkpoints: dict[int, tuple[Parameters, ...]],
    ) -> ShardedState:
        """After a request: the partition of ``retain`` (shard ``labels``), the
        ``retrained`` shards' new parameters and ``checkpoints``, and no aggregator (it
        must learn again)."""
        members = tuple(retrained.get(s, member) for s, member in enumerate(self.members))
        slices = tuple(checkpoints.get(s, self.checkpoints_of(s)) for s in range(len(self.members)))
        rows = np.bincount(labels, minlength=self.partition.n_shards)
        return replace(
            self,
            partition=self.partition.restricted_to(retain),
            members=members,
            checkpoints=sliced(slices),
            shard_rows=tuple(int(n) for n in rows),
            aggregator={},
        )

    def checkpoints_of(self, shard: int) -> tuple[Parameters, ...]:
        """Shard ``shard``'s checkpoints (none when the shards are not sliced)."""
        return self.checkpoints[shard] if self.checkpoints else ()

    def config(self) -> dict[str, Any]:
        return {
            "shape": asdict(self.shape),
            "partition": self.partition.config(),
            "shard_rows": list(self.shard_rows),
            "log": self.log,
        }

    def tensors(self) -> dict[str, Any]:
        return {
            "partition": self.partition.tensors(),
            "members": list(self.members),
            "checkpoints": [list(ckpts) for ckpts in self.checkpoints],
            "aggregator": self.aggregator,
        }

    @classmethod
    def restore(
        cls, config: dict[str, Any], tensors: dict[str, Any], seconds: float
    ) -> ShardedState:
        return cls(
            seconds=seconds,
            shape=BackboneShape(**config["shape"]),
            partition=partition_from_payload(config["partition"], tensors["partition"]),
            members=tuple(dict(member) for member in tensors["members"]),
            shard_rows=tuple(config["shard_rows"]),
            checkpoints=tuple(
                tuple(dict(p) for p in ckpts) for ckpts in tensors.get("checkpoints", [])
            ),
            aggregator=dict(tensors["aggregator"]),
            log=dict(config["log"]),
        )
