"""Matrix factorisation: y_ui = sigmoid(p_u . q_i) (IFRU paper, Eq. 1)."""

from __future__ import annotations

import torch

from recunlearn.models.base import Recommender


class MatrixFactorization(Recommender):
    """MF: the final embeddings are the ego embeddings (no graph, ``graph_hops = 0``)."""

    name = "mf"

    def propagate(self) -> tuple[torch.Tensor, torch.Tensor]:
        return self.user_embedding, self.item_embedding
