"""Random-label rows and MF models that memorise them: membership is all there is to learn."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from recunlearn.execution import InProcessExecutor
from recunlearn.models.config import TrainConfig
from recunlearn.models.scoring import ScoringModel
from recunlearn.training.stages import BackboneShape, StageRunner

N_USERS, N_ITEMS = 40, 40
CONFIG = TrainConfig(embedding_dim=16, init_std=0.1, batch_size=256, lr=0.05)
SHAPE = BackboneShape("mf", N_USERS, N_ITEMS)
RUNNER = StageRunner(InProcessExecutor(), stack=True)


def random_rows(n: int, seed: int) -> pd.DataFrame:
    """``n`` distinct (user, item) pairs with coin-flip labels."""
    rng = np.random.default_rng(seed)
    pairs = rng.choice(N_USERS * N_ITEMS, size=n, replace=False)
    labels = rng.integers(0, 2, n).astype(float)
    return pd.DataFrame({"user": pairs // N_ITEMS, "item": pairs % N_ITEMS, "label": labels})


@pytest.fixture(scope="package")
def pool() -> pd.DataFrame:
    return random_rows(1200, seed=0)


class TableScorer:
    def __init__(self, table):
        self.table = table

    def pairs(self, users, items):
        return self.table[users, items]

    def users(self, users):
        return self.table[users]


class TableModel(ScoringModel):
    """A model whose logits are a fixed (users x items) table: features by hand."""

    name = "table"

    def __init__(self, logits) -> None:
        super().__init__()
        self.register_buffer("logits", torch.as_tensor(logits, dtype=torch.float64))
        self.n_users, self.n_items = self.logits.shape

    def scorer(self):
        return TableScorer(self.logits)

    def config(self):
        return {}
