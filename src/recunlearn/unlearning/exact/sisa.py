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

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import torch

from recunlearn.models import PER_ROW_BACKBONES, AveragingEnsemble
from recunlearn.models.scoring import ScoringModel
from recunlearn.seeding import numpy_rng
from recunlearn.training.stages import build_stage_model
from recunlearn.unlearning.base import PrepareContext, UnlearningRequest
from recunlearn.unlearning.exact.config import SisaConfig
from recunlearn.unlearning.exact.sharded import Members, ShardedMethod
from recunlearn.unlearning.partitions import random_balanced_labels


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

    def aggregate(
        self,
        meta: dict[str, Any],
        members: Members,
        rows: pd.DataFrame,
        labels: np.ndarray,
        stored: dict[str, torch.Tensor] | None,
        request: PrepareContext | UnlearningRequest,
    ) -> tuple[ScoringModel, dict[str, torch.Tensor], dict[str, Any]]:
        """Each member on its own shard's graph (graph backbones), averaged."""
        models = []
        for shard in range(meta["shards"]):
            shard_rows = rows[labels == shard]
            task = self.shard_task(
                meta, shard_rows, shard, request.train_config, request.seed, request.device
            )
            models.append(build_stage_model(replace(task, start=members[shard])))
        return AveragingEnsemble(models), {}, {}
