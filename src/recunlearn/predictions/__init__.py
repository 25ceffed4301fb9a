"""What every layer above the models shares: row tensors, a model's scores of rows, and AUC.

Training (validation AUC), influence and unlearning (row tensors) and evaluation (scores
and AUC) all import from here, so none of them imports another.
"""

from recunlearn.predictions.auc import auc, tensor_auc
from recunlearn.predictions.rows import Rows, rows_to_tensors, score_rows

__all__ = ["Rows", "auc", "rows_to_tensors", "score_rows", "tensor_auc"]
