"""A model made of one sub-model per user group (C-SISA): it scores like one backbone.

User u is scored by the sub-model of u's group, against every item. The sub-models
are complete backbones (each trained on its own group's rows only), so this is the
"concatenated user embeddings" model of LASER's C-SISA baseline, with each group's
own item embeddings: a user never sees another group's item embeddings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from recunlearn.models.base import Recommender
from recunlearn.models.scoring import Scorer, ScoringModel


@dataclass(frozen=True)
class GroupedScorer:
    """Routes every user to the scorer of its group."""

    scorers: list[Scorer]
    user_group: torch.Tensor
    n_items: int

    def pairs(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        groups = self.user_group[users]
        out = torch.empty(len(users), device=users.device)
        for group, scorer in enumerate(self.scorers):
            mask = groups == group
            if mask.any():
                out[mask] = scorer.pairs(users[mask], items[mask]).to(out.dtype)
        return out

    def users(self, users: torch.Tensor) -> torch.Tensor:
        groups = self.user_group[users]
        out = torch.empty(len(users), self.n_items, device=users.device)
        for group, scorer in enumerate(self.scorers):
            mask = groups == group
            if mask.any():
                out[mask] = scorer.users(users[mask]).to(out.dtype)
        return out


class GroupedModel(ScoringModel):
    """Sub-model ``members[g]`` scores the users whose ``user_group`` is g.

    Args:
        members: one backbone per group, all over the same users and items.
        user_group: group id of every user, shape (n_users,).
    """

    name = "grouped"

    def __init__(self, members: list[Recommender], user_group: torch.Tensor) -> None:
        super().__init__()
        if not members:
            raise ValueError("a grouped model needs at least one member")
        self.members = nn.ModuleList(members)
        self.n_users, self.n_items = members[0].n_users, members[0].n_items
        self.register_buffer("user_group", user_group.to(torch.long).clone())

    def scorer(self) -> Scorer:
        scorers = [member.scorer() for member in self.members]
        return GroupedScorer(scorers, self.user_group, self.n_items)

    def config(self) -> dict[str, Any]:
        return {"backbone": self.name, "members": [m.config() for m in self.members]}

    @property
    def member_backbone(self) -> str:
        """The backbone every member is an instance of."""
        return self.members[0].name
