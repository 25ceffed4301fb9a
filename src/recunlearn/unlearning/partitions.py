"""Partitions of D into shards: of rows (SISA, RecEraser) or of users (C-SISA's groups).

Every :class:`Partition` gives the shard of any row of D (``labels_of``), the partition
of a subset of D (``restricted_to``: what a stream carries past a request) and its
catalog form (``config`` / ``tensors``, rebuilt by :func:`partition_from_payload`).

A :class:`RowPartition` records the shard of every training row by its (user, item)
pair, so it is found again in D at unlearning time whatever the row order, and in any
subset of D: preparing from scratch on D - D_r with the same partition (the exact
methods' oracle) trains every shard on exactly the rows it keeps after unlearning.

SISA's partition (Bourtoule et al., S&P 2021, §IV) is random and balanced: the rows
are shuffled with a stream derived from the seed and dealt out in turn, so shard sizes
differ by at most one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import torch

from recunlearn.errors import DataValidationError, ParameterError


def pair_keys(rows: pd.DataFrame, n_items: int) -> np.ndarray:
    """One int64 key per row: ``user * n_items + item``."""
    return rows["user"].to_numpy(np.int64) * int(n_items) + rows["item"].to_numpy(np.int64)


def row_slices(rows: pd.DataFrame, n_items: int, n_slices: int, seed: int) -> np.ndarray:
    """SISA's slice (0..``n_slices``-1) of every row: a seeded hash of its (user, item) key.

    A row's slice depends on its key and ``seed`` alone, never on the other rows, so
    D - D_r keeps the slices it had in D (the exact oracle needs no stored slice table);
    slice sizes are balanced in expectation (binomial), not to the row. The hash is
    SplitMix64's finaliser over ``key + seed``.
    """
    with np.errstate(over="ignore"):
        z = pair_keys(rows, n_items).astype(np.uint64) + np.uint64(seed & (2**64 - 1))
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z % np.uint64(n_slices)).astype(np.int64)


class Partition(ABC):
    """The shard of every row of D."""

    kind: ClassVar[str]
    n_shards: int

    @abstractmethod
    def labels_of(self, rows: pd.DataFrame, name: str = "mi_train") -> np.ndarray:
        """The shard of every row of ``rows``; rows it cannot place are refused by ``name``."""

    @abstractmethod
    def restricted_to(self, rows: pd.DataFrame) -> Partition:
        """The partition of ``rows`` (a subset of D) alone, each row keeping its shard."""

    @abstractmethod
    def config(self) -> dict[str, Any]:
        """The JSON-able fields, with ``kind``."""

    @abstractmethod
    def tensors(self) -> dict[str, torch.Tensor]:
        """The arrays, as CPU tensors."""


@dataclass(frozen=True)
class RowPartition(Partition):
    """The shard of every row of D, by its (user, item) key.

    Attributes:
        keys: sorted, unique ``user * n_items + item`` keys of D's rows.
        shards: ``shards[j]`` is the shard of the row with key ``keys[j]``.
        n_shards: number of shards (some may be empty).
        n_items: the item count the keys were made with.
    """

    keys: np.ndarray
    shards: np.ndarray
    n_shards: int
    n_items: int

    kind = "rows"

    @classmethod
    def of_rows(
        cls, rows: pd.DataFrame, labels: np.ndarray, n_shards: int, n_items: int
    ) -> RowPartition:
        """The partition giving row ``rows.iloc[j]`` the shard ``labels[j]``."""
        keys = pair_keys(rows, n_items)
        order = np.argsort(keys, kind="stable")
        keys, labels = keys[order], np.asarray(labels, dtype=np.int64)[order]
        if keys.size and (np.diff(keys) == 0).any():
            raise DataValidationError(
                "mi_train: a sharded method needs one row per (user, item) pair; "
                "the training rows repeat a pair"
            )
        return cls(keys, labels, int(n_shards), int(n_items))

    def labels_of(self, rows: pd.DataFrame, name: str = "mi_train") -> np.ndarray:
        """The shard of every row of ``rows``; rows unknown to the partition are refused."""
        keys = pair_keys(rows, self.n_items)
        position = np.searchsorted(self.keys, keys).clip(max=max(len(self.keys) - 1, 0))
        known = self.keys[position] == keys if self.keys.size else np.zeros(len(keys), bool)
        if not known.all():
            missing = rows.loc[~known, ["user", "item"]].head(3).to_numpy().tolist()
            raise DataValidationError(
                f"{name}: {int((~known).sum())} rows are not in the prepared partition "
                f"(e.g. (user, item) {missing}); prepare the method on this D first"
            )
        return self.shards[position]

    def restricted_to(self, rows: pd.DataFrame) -> RowPartition:
        """The partition of ``rows`` alone (each keeps its shard)."""
        return RowPartition.of_rows(rows, self.labels_of(rows), self.n_shards, self.n_items)

    def config(self) -> dict[str, Any]:
        return {"kind": self.kind, "n_shards": self.n_shards, "n_items": self.n_items}

    def tensors(self) -> dict[str, torch.Tensor]:
        return {"keys": torch.tensor(self.keys), "shards": torch.tensor(self.shards)}


@dataclass(frozen=True)
class UserPartition(Partition):
    """The shard of every row is its user's group (C-SISA's sub-models by user group).

    Attributes:
        labels: ``labels[u]`` is user u's shard, for every user id 0..n_users-1.
        n_shards: number of shards (groups).
    """

    labels: np.ndarray
    n_shards: int

    kind = "users"

    def labels_of(self, rows: pd.DataFrame, name: str = "mi_train") -> np.ndarray:
        users = rows["user"].to_numpy()
        unknown = users[(users < 0) | (users >= len(self.labels))]
        if unknown.size:
            raise ParameterError(
                f"{name}: rows name users unknown to the grouping "
                f"(e.g. {sorted(set(unknown.tolist()))[:5]}; known ids 0..{len(self.labels) - 1})"
            )
        return self.labels[users]

    def restricted_to(self, rows: pd.DataFrame) -> UserPartition:
        """The same groups: a user's group does not depend on which of its rows remain."""
        self.labels_of(rows)
        return self

    def config(self) -> dict[str, Any]:
        return {"kind": self.kind, "n_shards": self.n_shards}

    def tensors(self) -> dict[str, torch.Tensor]:
        return {"labels": torch.tensor(self.labels)}


def partition_from_payload(config: dict[str, Any], tensors: dict[str, torch.Tensor]) -> Partition:
    """Inverse of a partition's ``config()`` and ``tensors()``."""
    arrays = {name: tensor.numpy().astype(np.int64) for name, tensor in tensors.items()}
    if config["kind"] == RowPartition.kind:
        return RowPartition(arrays["keys"], arrays["shards"], config["n_shards"], config["n_items"])
    if config["kind"] == UserPartition.kind:
        return UserPartition(arrays["labels"], config["n_shards"])
    raise ValueError(f"prepared state: unknown partition kind {config['kind']!r}")


def random_balanced_labels(n_rows: int, n_shards: int, rng: np.random.Generator) -> np.ndarray:
    """SISA's shards: a random permutation of the rows dealt out in turn (sizes differ by <= 1)."""
    labels = np.empty(n_rows, dtype=np.int64)
    labels[rng.permutation(n_rows)] = np.arange(n_rows) % n_shards
    return labels
