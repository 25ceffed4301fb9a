"""SISA (Bourtoule et al., S&P 2021) on recommendation data, the IFRU paper's baseline.

Sharded, Isolated, Sliced, Aggregated training applied to interactions (IFRU §4.1.3,
following RecEraser): D's rows are dealt into S random, balanced shards (sizes differ by
at most one), one backbone trains on each shard alone, and the ensemble averages the
sub-models' predicted probabilities (:class:`~recunlearn.models.AveragingEnsemble`,
which answers with the logit of the mean).

Slicing (SISA §IV-B, ``slices`` R, default 1 = none): a shard's rows fall into R
slices by a seeded hash of their (user, item) key
(:func:`~recunlearn.unlearning.partitions.row_slices`: stable under deletions), and the
shard trains in R stages, stage k on slices 0..k from the checkpoint of stage k-1, the
``epochs`` shared out among the stages (E // R each, the first E % R one more; the
paper leaves the split open). A request restarts a touched shard from the checkpoint
before its earliest touched slice, so rows in late slices cost only the late stages.

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
    contract_settings = {"shards": 3, "epochs": 2, "slices": 2}
    supported_backbones = PER_ROW_BACKBONES
    """Its shards train through ``stages.train_model`` (per-row BCE backbones)."""

    def slice_count(self) -> int:
        return self.config.slices

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
