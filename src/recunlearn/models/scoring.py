"""The scoring interface every model answers: one backbone or a model made of sub-models.

Evaluation, early stopping and reports never look inside a model: they ask it for a
:class:`Scorer` (``model.scorer()``), which precomputes whatever the model needs once
(propagated embeddings, tower outputs, sub-models' scorers) and then returns logits of
(user, item) pairs or of users against every item. A grouped model (C-SISA) or an
ensemble (SISA, RecEraser) therefore goes through the very same code as MF.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import torch
from torch import nn


class Scorer(Protocol):
    """Logits of a fixed model state; built by :meth:`ScoringModel.scorer`."""

    def pairs(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        """Logits of the pairs (users[k], items[k]), shape (len(users),)."""
        ...

    def users(self, users: torch.Tensor) -> torch.Tensor:
        """Logits of ``users`` against every item, shape (len(users), n_items)."""
        ...


@dataclass(frozen=True)
class EmbeddingScorer:
    """Dot products of final user and item embeddings (MF, LightGCN)."""

    user_final: torch.Tensor
    item_final: torch.Tensor

    def pairs(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        return (self.user_final[users] * self.item_final[items]).sum(-1)

    def users(self, users: torch.Tensor) -> torch.Tensor:
        return self.user_final[users] @ self.item_final.T


class ScoringModel(nn.Module, ABC):
    """A model that scores users against items, whatever it is made of.

    Subclasses set ``n_users`` / ``n_items`` and implement :meth:`scorer` and
    :meth:`config`; :func:`recunlearn.models.model_from_state` rebuilds any of them
    from ``config()`` and ``state_dict()``.
    """

    name: ClassVar[str]
    n_users: int
    n_items: int

    @abstractmethod
    def scorer(self) -> Scorer:
        """A scorer of the current parameters (call under ``torch.no_grad()`` to evaluate)."""

    @abstractmethod
    def config(self) -> dict[str, Any]:
        """Constructor arguments, enough to rebuild the module before loading its state."""

    @property
    def device(self) -> torch.device:
        """Where the model's tensors live."""
        tensor = next(iter(self.parameters()), None)
        if tensor is None:
            tensor = next(iter(self.buffers()))
        return tensor.device

    @torch.no_grad()
    def score_pairs(
        self, users: torch.Tensor, items: torch.Tensor, chunk: int = 65536
    ) -> torch.Tensor:
        """Logits of (user, item) pairs in chunks of ``chunk`` rows, without gradients."""
        scorer = self.scorer()
        parts = [
            scorer.pairs(users[s : s + chunk], items[s : s + chunk])
            for s in range(0, len(users), chunk)
        ]
        return torch.cat(parts) if parts else torch.empty(0, device=self.device)
