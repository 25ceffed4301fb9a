"""SISA (Bourtoule et al., S&P 2021) on recommendation data, the IFRU paper's baseline.

Sharded, Isolated, Sliced, Aggregated training applied to interactions (IFRU §4.1.3,
following RecEraser): D's rows are dealt into S random, balanced shards (sizes differ by
at most one), one backbone trains on each shard alone, and the ensemble averages the
sub-models' predicted probabilities (:class:`~recunlearn.models.AveragingEnsemble`,
which answers with the logit of the mean). SISA's slicing (checkpoints within a shard)
is not used: a touched shard retrains from its initialisation.

Unlearning retrains only the shards holding a row of D_r. Because the shards are
random interaction shards, a request spread over many users (the 2 % label flip)
touches every shard and costs as much as preparing again; a single user's request
touches at most min(S, the user's rows) shards.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from recunlearn.models import PER_ROW_BACKBONES, AveragingEnsemble
from recunlearn.models.scoring import ScoringModel
from recunlearn.seeding import numpy_rng
from recunlearn.training.stages import Parameters
from recunlearn.unlearning.base import PrepareContext
from recunlearn.unlearning.exact.config import SisaConfig
from recunlearn.unlearning.exact.sharded import Context, Members, ShardedMethod
from recunlearn.unlearning.exact.sharded_state import ShardedState
from recunlearn.unlearning.partitions import RowPartition, random_balanced_labels


class Sisa(ShardedMethod):
    """Random interaction shards; the ensemble averages its members' probabilities."""

    name = "sisa"
    label = "SISA"
    config_type = SisaConfig
    contract_settings = {"shards": 3, "epochs": 2}
    supported_backbones = PER_ROW_BACKBONES
    """Its shards train through ``stages.train_model`` (per-row BCE backbones)."""

    def shard_labels(self, context: PrepareContext) -> np.ndarray:
        self.check_fits(context.train_rows)
        rng = numpy_rng(context.seed, self.name, "partition")
        return random_balanced_labels(len(context.train_rows), self.config.shards, rng)

    def own_partition(self, context: PrepareContext) -> RowPartition:
        return self.row_partition(context, self.shard_labels(context))

    def aggregate(
        self, state: ShardedState, members: Members, rows: pd.DataFrame, request: Context
    ) -> tuple[ScoringModel, Parameters, dict[str, Any]]:
        """Each member on its own shard's graph (graph backbones), averaged."""
        return AveragingEnsemble(self.member_models(state, members, rows, request)), {}, {}
