"""Row partitions of D into shards (SISA, RecEraser), keyed by the (user, item) pair.

A :class:`RowPartition` records the shard of every training row by its (user, item)
pair, so it is found again in D at unlearning time whatever the row order, and in any
subset of D: preparing from scratch on D - D_r with the same partition (the exact
methods' oracle) trains every shard on exactly the rows it keeps after unlearning.

SISA's partition (Bourtoule et al., S&P 2021, §IV) is random and balanced: the rows
are shuffled with a stream derived from the seed and dealt out in turn, so shard sizes
differ by at most one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from recunlearn.errors import DataValidationError


def pair_keys(rows: pd.DataFrame, n_items: int) -> np.ndarray:
    """One int64 key per row: ``user * n_items + item``."""
    return rows["user"].to_numpy(np.int64) * int(n_items) + rows["item"].to_numpy(np.int64)


@dataclass(frozen=True)
class RowPartition:
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

    def tensors(self) -> dict[str, torch.Tensor]:
        """Named tensors for a prepared state."""
        return {
            "partition.keys": torch.as_tensor(self.keys, dtype=torch.int64),
            "partition.shards": torch.as_tensor(self.shards, dtype=torch.int64),
        }

    @classmethod
    def from_tensors(
        cls, tensors: dict[str, torch.Tensor], n_shards: int, n_items: int
    ) -> RowPartition:
        """Inverse of :meth:`tensors`."""
        keys = tensors["partition.keys"].numpy().astype(np.int64)
        shards = tensors["partition.shards"].numpy().astype(np.int64)
        return cls(keys, shards, int(n_shards), int(n_items))


def random_balanced_labels(n_rows: int, n_shards: int, rng: np.random.Generator) -> np.ndarray:
    """SISA's shards: a random permutation of the rows dealt out in turn (sizes differ by <= 1)."""
    labels = np.empty(n_rows, dtype=np.int64)
    labels[rng.permutation(n_rows)] = np.arange(n_rows) % n_shards
    return labels
