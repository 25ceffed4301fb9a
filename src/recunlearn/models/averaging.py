"""SISA's ensemble: every sub-model scores every pair, their probabilities are averaged.

Bourtoule et al. (S&P 2021, §IV-A) aggregate the constituent models by averaging
their predictions. With the point-wise BCE head a prediction is the probability
sigmoid(s_k); the ensemble's probability is p = (1/S) sum_k sigmoid(s_k), and the
ensemble answers with the logit of that mean, log p - log(1 - p), so every metric
(AUC on logits, top-K on scores) treats it like one backbone. The logit is computed in
log space, log p = logsumexp_k log sigmoid(s_k) - log S (and the same with -s_k for
log(1 - p)), so it stays finite where sigmoid saturates in float32.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from recunlearn.models.base import Recommender
from recunlearn.models.scoring import Scorer, ScoringModel


def logit_of_mean_probability(logits: torch.Tensor) -> torch.Tensor:
    """logit((1/S) sum_k sigmoid(logits[k])), reducing the first dimension (S)."""
    log_count = math.log(logits.shape[0])
    positive = torch.logsumexp(F.logsigmoid(logits), dim=0) - log_count
    negative = torch.logsumexp(F.logsigmoid(-logits), dim=0) - log_count
    return positive - negative


@dataclass(frozen=True)
class AveragingScorer:
    """Scores every pair with every member's scorer and averages their probabilities."""

    scorers: list[Scorer]

    def pairs(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        return logit_of_mean_probability(torch.stack([s.pairs(users, items) for s in self.scorers]))

    def users(self, users: torch.Tensor) -> torch.Tensor:
        return logit_of_mean_probability(torch.stack([s.users(users) for s in self.scorers]))


class AveragingEnsemble(ScoringModel):
    """S sub-models over the same users and items, aggregated by mean probability.

    Args:
        members: one backbone per shard (each trained on its shard's rows only).
    """

    name = "averaging"

    def __init__(self, members: list[Recommender]) -> None:
        super().__init__()
        if not members:
            raise ValueError("an averaging ensemble needs at least one member")
        self.members = nn.ModuleList(members)
        self.n_users, self.n_items = members[0].n_users, members[0].n_items

    def scorer(self) -> Scorer:
        return AveragingScorer([member.scorer() for member in self.members])

    def config(self) -> dict[str, Any]:
        return {"backbone": self.name, "members": [m.config() for m in self.members]}
