"""RecEraser (Chen et al., WWW 2022): balanced shards of similar data, attention aggregation.

Learning: D is split into S balanced shards from the Original model's ego embeddings
(:mod:`~recunlearn.unlearning.exact.balanced_partition`: UBP by user, IBP by item, InBP by
interaction, the default as in the IFRU paper's comparison), one backbone trains per
shard, and then an attention aggregator (:class:`~recunlearn.models.AttentionEnsemble`)
trains on D with the shards' embeddings frozen: ``aggregator_epochs`` epochs of Adam on
the backbone's BCE loss, from an initialisation (and, with mini-batches, a batch order)
derived from the seed. The shards' stacked tables are built once per request and are
the aggregator's only input, so a step never runs a shard model: it aggregates every
user and item once (MF: the rows' dot products of the aggregated tables; LightGCN: the
aggregated ego embeddings propagated over D's graph, as LightGCN itself propagates).
By default each epoch is one full-batch step.

Unlearning retrains the shards holding a row of D_r, then the aggregator from its
initialisation on D - D_r; an empty request keeps the prepared aggregator, which is
what retraining it on the unchanged D would give. The aggregated embeddings are
scored by a dot product, so the backbones it supports are those with a dot-product
head over ego embeddings: MF and LightGCN (whose aggregated ego embeddings are
propagated over the graph of D - D_r).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd
import torch

from recunlearn.models import AttentionEnsemble, positive_edges
from recunlearn.models.scoring import ScoringModel
from recunlearn.predictions import rows_to_tensors
from recunlearn.seeding import numpy_rng, torch_generator
from recunlearn.training.stages import Parameters
from recunlearn.unlearning.base import PrepareContext
from recunlearn.unlearning.exact.balanced_partition import row_labels
from recunlearn.unlearning.exact.config import ATTENTION_BACKBONES, RecEraserConfig
from recunlearn.unlearning.exact.sharded import Context, Members, ShardedMethod
from recunlearn.unlearning.exact.sharded_state import ShardedState
from recunlearn.unlearning.partitions import RowPartition


def train_aggregator(
    model: AttentionEnsemble,
    rows: pd.DataFrame,
    epochs: int,
    lr: float,
    batch_size: int | None,
    l2: float,
    generator: torch.Generator,
) -> None:
    """``epochs`` epochs of Adam on the rows' BCE loss; only the aggregator's parameters move.

    ``batch_size`` None (or at least the rows): one full-batch step per epoch, on the
    rows in their given order (no permutation to draw: the step is the same for any),
    whose pairs (:meth:`AttentionEnsemble.pairs`) are built once for every epoch.
    """
    users, items, labels = rows_to_tensors(rows, model.device)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    full_batch = batch_size is None or batch_size >= len(users)
    every_row = model.pairs(users, items) if full_batch else None
    model.train()
    for _ in range(epochs):
        if every_row is not None:
            batches = [(every_row, labels)]
        else:
            order = torch.randperm(len(users), generator=generator).to(users.device)
            batches = (
                (model.pairs(users[batch], items[batch]), labels[batch])
                for batch in order.split(batch_size)
            )
        for pairs, batch_labels in batches:
            loss = model.pair_losses(pairs, batch_labels, l2).mean()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    model.eval()


class RecEraser(ShardedMethod):
    """Balanced shards of similar users, items or interactions; attention aggregation."""

    name = "receraser"
    label = "RecEraser"
    config_type = RecEraserConfig
    contract_settings = {"shards": 3, "epochs": 2, "aggregator_epochs": 2}
    supported_backbones = ATTENTION_BACKBONES

    def shard_points(self, rows: pd.DataFrame) -> tuple[int, str]:
        """UBP divides D's users, IBP its items, InBP its rows."""
        partition = self.config.partition
        if partition == "interaction":
            return len(rows), partition
        return int(rows[partition].nunique()), partition

    def shard_labels(self, context: PrepareContext) -> np.ndarray:
        original = context.original
        self.check_backbone(original.name)
        self.check_fits(context.train_rows)
        cfg = self.config
        return row_labels(
            cfg.partition,
            context.train_rows,
            original.user_embedding.detach().cpu().double().numpy(),
            original.item_embedding.detach().cpu().double().numpy(),
            cfg.shards,
            cfg.capacity_factor,
            cfg.partition_iterations,
            numpy_rng(context.seed, self.name, "partition"),
        )

    def own_partition(self, context: PrepareContext) -> RowPartition:
        return self.row_partition(context, self.shard_labels(context))

    def ensemble(
        self, state: ShardedState, members: Members, rows: pd.DataFrame, request: Context
    ) -> AttentionEnsemble:
        """The aggregator over ``members`` at its derived initialisation, on ``rows``' graph."""
        hops, backbone = request.original.graph_hops, state.shape.backbone
        users, items = positive_edges(rows if hops else rows.iloc[:0])  # MF needs no graph
        return AttentionEnsemble(
            torch.stack([member["user_embedding"] for member in members]),
            torch.stack([member["item_embedding"] for member in members]),
            self.config.attention_dim,
            hops,
            users,
            items,
            torch_generator(request.seed, self.name, backbone, "aggregator", "init"),
        ).to(request.device)

    def aggregate(
        self, state: ShardedState, members: Members, rows: pd.DataFrame, request: Context
    ) -> tuple[ScoringModel, Parameters, dict[str, Any]]:
        """Train the aggregator on ``rows`` (or take the state's, when it still holds)."""
        start = time.perf_counter()
        model = self.ensemble(state, members, rows, request)
        parameters = dict(model.named_parameters())
        if state.aggregator:
            with torch.no_grad():
                for name, tensor in parameters.items():
                    tensor.copy_(state.aggregator[name])
        else:
            cfg = self.config
            batches = torch_generator(
                request.seed, self.name, state.shape.backbone, "aggregator", "batches"
            )
            train_aggregator(
                model,
                rows,
                cfg.aggregator_epochs,
                cfg.aggregator_lr,
                cfg.aggregator_batch_size,
                request.train_config.l2,
                batches,
            )
        kept = {name: tensor.detach().cpu().clone() for name, tensor in parameters.items()}
        return model, kept, {"aggregator_seconds": time.perf_counter() - start}
