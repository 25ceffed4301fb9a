"""C-SISA (LASER paper's baseline): one sub-model per user group, trained in isolation.

SISA (Bourtoule et al.) on LASER's user groups: a sharded method whose partition is
the grouping (:class:`~recunlearn.unlearning.partitions.UserPartition`: a row's shard
is its user's group). Group g's model trains only on the rows of g's users,
``epochs`` (T) epochs from its own initialisation; user u is scored by its group's
model (LASER §4.2 concatenates the groups' user embeddings; here each user also keeps
its group's item embeddings, so a user's scores are exactly its sub-model's).
Unlearning retrains only the groups that hold a row of the request, from their
initialisation, on their remaining rows; every other group's parameters are the very
tensors of the prepared state, and the state returned for the next request holds the
groups as they now are (:mod:`~recunlearn.unlearning.exact.sharded`). Groups train
through the request's executor (in-process, a local process pool or Dask; stacked or
not).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import torch

from recunlearn.models import PER_ROW_BACKBONES, GroupedModel
from recunlearn.models.scoring import ScoringModel
from recunlearn.training.stages import Parameters
from recunlearn.unlearning.base import PrepareContext
from recunlearn.unlearning.exact.config import CSisaConfig
from recunlearn.unlearning.exact.sharded import Context, Members, ShardedMethod
from recunlearn.unlearning.exact.sharded_state import ShardedState
from recunlearn.unlearning.partitions import UserPartition


class CSisa(ShardedMethod):
    """One backbone per user group; a user is scored by its group's backbone."""

    name = "csisa"
    label = "C-SISA"
    config_type = CSisaConfig
    contract_settings = {"epochs": 2}
    needs_groups = True
    unit = "group"
    supported_backbones = PER_ROW_BACKBONES
    """Sub-models train on per-row BCE mini-batches (``stages.train_model``)."""

    def check_fits(self, train_rows: pd.DataFrame) -> None:
        """Nothing of its own: its groups are the grouping step's, whose count the
        preflight checks under ``grouping.n_groups``."""
        return None

    def own_partition(self, context: PrepareContext) -> UserPartition:
        groups = self.grouping(context)
        return UserPartition(groups.labels, groups.n_groups)

    def aggregate(
        self, state: ShardedState, members: Members, rows: pd.DataFrame, request: Context
    ) -> tuple[ScoringModel, Parameters, dict[str, Any]]:
        """Each group's member on its own rows' graph; a user scored by its group's."""
        partition = state.partition
        if not isinstance(partition, UserPartition):
            raise ValueError(f"{self.name}: the partition must be the user groups")
        models = self.member_models(state, members, rows, request)
        return GroupedModel(models, torch.tensor(partition.labels)), {}, {}
