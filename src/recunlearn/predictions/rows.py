"""Row tables as tensors, and a model's scores of rows (through its scorer)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from recunlearn.models.scoring import ScoringModel

Rows = tuple[torch.Tensor, torch.Tensor, torch.Tensor]
"""(users, items, labels) of a row table, on one device."""


def rows_to_tensors(rows: pd.DataFrame, device: torch.device | str) -> Rows:
    """(users, items, labels) tensors of a row table on ``device``."""

    def to(column: str, dtype: torch.dtype) -> torch.Tensor:
        return torch.as_tensor(rows[column].to_numpy(copy=True), dtype=dtype, device=device)

    return to("user", torch.long), to("item", torch.long), to("label", torch.float32)


def score_rows(model: ScoringModel, rows: pd.DataFrame, chunk: int = 65536) -> np.ndarray:
    """Predicted logits for each (user, item) row, as float64 NumPy (through the model's scorer)."""
    users, items, _ = rows_to_tensors(rows, model.device)
    return model.score_pairs(users, items, chunk).double().cpu().numpy()
