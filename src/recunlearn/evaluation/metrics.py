"""All metrics of one trained model on one deletion request.

- ``auc_0/1/2``: test AUC on all rows / rows touching V(D_r) / rows inside V(D_r).
- ``recall@K``, ``ndcg@K``: test users with a positive test row; ``forget_`` prefix:
  only the users who have rows in D_r (the AltEraser "forgetting users").
- ``repredict``: mean predicted probability on D_r (lower = more forgotten).
- ``rbo@K``: RBO (p) of each forgetting user's top-K list against the reference
  (Retrain) model's, averaged over those users.
- ``active_ndcg@K``, ``inactive_ndcg@K``: NDCG@K of the active users (the top 5 % by
  training rows) and of the others, CURE4Rec's fairness view (Chen et al., NeurIPS
  2024): exact unlearning's shards can serve the two groups unequally.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch

from recunlearn.evaluation.auc import auc_variants
from recunlearn.evaluation.ranking import mean_rbo, ndcg_at_k, recall_at_k, top_k_items
from recunlearn.models.scoring import ScoringModel
from recunlearn.training.trainer import score_rows


def seen_matrix(rows: pd.DataFrame, n_users: int, n_items: int) -> sp.csr_matrix:
    """Boolean user x item matrix of the rows a model was trained on (excluded from ranking)."""
    data = np.ones(len(rows), dtype=bool)
    matrix = sp.csr_matrix((data, (rows["user"], rows["item"])), shape=(n_users, n_items))
    matrix.sum_duplicates()
    return matrix


def relevant_items(test: pd.DataFrame, users: np.ndarray) -> list[set[int]]:
    """Each user's positive test items."""
    positives = test[test["label"] == 1].groupby("user")["item"].apply(set)
    return [positives.get(u, set()) for u in users]


def _ranking_metrics(
    top: np.ndarray, relevant: list[set[int]], ks: Sequence[int], prefix: str
) -> dict[str, float]:
    out = {}
    for k in ks:
        out[f"{prefix}recall@{k}"] = recall_at_k(top, relevant, k)
        out[f"{prefix}ndcg@{k}"] = ndcg_at_k(top, relevant, k)
    return out


ACTIVE_SHARE = 0.05
"""CURE4Rec's active users: the top 5 % of users by training rows."""


def active_users(train_rows: pd.DataFrame, share: float = ACTIVE_SHARE) -> np.ndarray:
    """The ceil(share * users) users with the most training rows (ties: lower id first)."""
    counts = train_rows["user"].value_counts().rename("rows").reset_index()
    ordered = counts.sort_values(["rows", "user"], ascending=[False, True])
    n_active = max(1, math.ceil(share * len(ordered))) if len(ordered) else 0
    return np.sort(ordered["user"].to_numpy()[:n_active])


def activity_ndcg(
    top: np.ndarray, relevant: list[set[int]], active: np.ndarray, ks: Sequence[int]
) -> dict[str, float]:
    """NDCG@K of the users flagged ``active`` and of the rest (rows of ``top``/``relevant``)."""
    out = {}
    for prefix, mask in (("active_", active), ("inactive_", ~active)):
        chosen = [rel for rel, keep in zip(relevant, mask, strict=True) if keep]
        for k in ks:
            out[f"{prefix}ndcg@{k}"] = ndcg_at_k(top[mask], chosen, k)
    return out


def repredict_score(model: ScoringModel, forget: pd.DataFrame) -> float:
    """Mean sigmoid(logit) over the forget set; NaN for an empty forget set."""
    if forget.empty:
        return float("nan")
    return float(torch.sigmoid(torch.as_tensor(score_rows(model, forget))).mean())


def evaluate_model(
    model: ScoringModel,
    reference: ScoringModel | None,
    train_rows: pd.DataFrame,
    test: pd.DataFrame,
    forget: pd.DataFrame,
    ks: Sequence[int] = (10, 20, 50),
    rbo_p: float = 0.9,
) -> dict[str, float]:
    """Every metric of ``model``; ``reference`` (Retrain) is needed for RBO only."""
    model.eval()
    result = auc_variants(test, score_rows(model, test), forget)
    result["repredict"] = repredict_score(model, forget)
    seen = seen_matrix(train_rows, model.n_users, model.n_items)
    k_max = min(max(ks), model.n_items)
    ks = [k for k in ks if k <= k_max]
    test_users = np.unique(test.loc[test["label"] == 1, "user"].to_numpy())
    top = top_k_items(model, test_users, seen, k_max)
    relevant = relevant_items(test, test_users)
    result |= _ranking_metrics(top, relevant, ks, "")
    active = np.isin(test_users, active_users(train_rows))
    result |= activity_ndcg(top, relevant, active, ks)
    forget_users = np.unique(forget["user"].to_numpy())
    forget_top = top_k_items(model, forget_users, seen, k_max)
    result |= _ranking_metrics(forget_top, relevant_items(test, forget_users), ks, "forget_")
    if reference is not None:
        reference_top = top_k_items(reference, forget_users, seen, k_max)
        for k in ks:
            result[f"rbo@{k}"] = mean_rbo(forget_top, reference_top, k, rbo_p)
    return result
