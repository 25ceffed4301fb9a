"""Matrix factorisation: y_ui = sigmoid(p_u . q_i) (IFRU paper, Eq. 1)."""

from __future__ import annotations

from collections.abc import Callable

import torch

from recunlearn.models.base import Recommender
from recunlearn.models.config import MFConfig


class MatrixFactorization(Recommender):
    """MF: the final embeddings are the ego embeddings (no graph, ``graph_hops = 0``)."""

    name = "mf"
    label = "MF"
    config_type = MFConfig

    def propagate(self) -> tuple[torch.Tensor, torch.Tensor]:
        return self.user_embedding, self.item_embedding

    def linear_propagation(
        self, graph: dict[str, torch.Tensor] | None = None
    ) -> Callable[[torch.Tensor], torch.Tensor]:
        """The identity: MF's final embeddings are its ego embeddings."""
        return lambda stacked: stacked
