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

Everything is computed on the model's device (scores, AUC, top-K lists, hits), in
bounded blocks (see :func:`recunlearn.evaluation.ranking.top_k_tensor`); the host
holds only the row tables and the seen-item matrix.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch

from recunlearn.evaluation.auc import forget_nodes
from recunlearn.evaluation.ranking import (
    hit_rate_from_hits,
    mean_rbo,
    ndcg_from_hits,
    recall_from_hits,
    relevance_hits,
    top_k_tensor,
)
from recunlearn.models.scoring import ScoringModel
from recunlearn.predictions import rows_to_tensors, tensor_auc


def seen_matrix(rows: pd.DataFrame, n_users: int, n_items: int) -> sp.csr_matrix:
    """Boolean user x item matrix of the rows a model was trained on (excluded from ranking)."""
    data = np.ones(len(rows), dtype=bool)
    matrix = sp.csr_matrix((data, (rows["user"], rows["item"])), shape=(n_users, n_items))
    matrix.sum_duplicates()
    return matrix


def auc_variants_on_device(
    model: ScoringModel, test: pd.DataFrame, forget: pd.DataFrame
) -> dict[str, float]:
    """AUC_0 on all test rows, AUC_1 on rows whose user OR item is in V(D_r), AUC_2 AND."""
    users, items, labels = rows_to_tensors(test, model.device)
    scores = model.score_pairs(users, items)
    forget_users, forget_items = forget_nodes(forget)
    user_in = torch.as_tensor(
        test["user"].isin(forget_users).to_numpy(copy=True), device=model.device
    )
    item_in = torch.as_tensor(
        test["item"].isin(forget_items).to_numpy(copy=True), device=model.device
    )
    result = {"auc_0": tensor_auc(labels, scores)}
    for name, mask in (("auc_1", user_in | item_in), ("auc_2", user_in & item_in)):
        result[name] = tensor_auc(labels[mask], scores[mask]) if bool(mask.any()) else float("nan")
    return result


def repredict_score(model: ScoringModel, forget: pd.DataFrame) -> float:
    """Mean sigmoid(logit) over the forget set; NaN for an empty forget set."""
    if forget.empty:
        return float("nan")
    users, items, _ = rows_to_tensors(forget, model.device)
    return float(torch.sigmoid(model.score_pairs(users, items).double()).mean())


def _ranking_metrics(
    top: torch.Tensor, users: np.ndarray, test: pd.DataFrame, ks: Sequence[int], prefix: str
) -> dict[str, float]:
    positives = test.loc[test["label"] == 1, ["user", "item"]].drop_duplicates()
    hits, n_relevant = relevance_hits(
        top, users, positives["user"].to_numpy(), positives["item"].to_numpy()
    )
    out = {}
    for k in ks:
        out[f"{prefix}recall@{k}"] = recall_from_hits(hits, n_relevant, k)
        out[f"{prefix}hr@{k}"] = hit_rate_from_hits(hits, n_relevant, k)
        out[f"{prefix}ndcg@{k}"] = ndcg_from_hits(hits, n_relevant, k)
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
    top: torch.Tensor, users: np.ndarray, test: pd.DataFrame, active: np.ndarray, ks: Sequence[int]
) -> dict[str, float]:
    """NDCG@K of the users flagged ``active`` (rows of ``top``, ids ``users``) and of the rest."""
    out = {}
    for prefix, mask in (("active_", active), ("inactive_", ~active)):
        rows = torch.as_tensor(np.flatnonzero(mask), device=top.device)
        metrics = _ranking_metrics(top[rows], users[mask], test, ks, prefix)
        out |= {name: value for name, value in metrics.items() if "ndcg" in name}
    return out


def evaluate_model(
    model: ScoringModel,
    reference: ScoringModel | None,
    train_rows: pd.DataFrame,
    test: pd.DataFrame,
    forget: pd.DataFrame,
    ks: Sequence[int] = (10, 20, 50),
    rbo_p: float = 0.9,
    device: torch.device | str | None = None,
) -> dict[str, float]:
    """Every metric of ``model``; ``reference`` (Retrain) is needed for RBO only.

    ``device``: where to evaluate (both models are moved there); None keeps the
    model's own device.
    """
    if device is not None:
        model.to(device)
        if reference is not None:
            reference.to(device)
    model.eval()
    result = auc_variants_on_device(model, test, forget)
    result["repredict"] = repredict_score(model, forget)
    seen = seen_matrix(train_rows, model.n_users, model.n_items)
    k_max = min(max(ks), model.n_items)
    ks = [k for k in ks if k <= k_max]
    test_users = np.unique(test.loc[test["label"] == 1, "user"].to_numpy())
    top = top_k_tensor(model, test_users, seen, k_max)
    result |= _ranking_metrics(top, test_users, test, ks, "")
    active = np.isin(test_users, active_users(train_rows))
    result |= activity_ndcg(top, test_users, test, active, ks)
    forget_users = np.unique(forget["user"].to_numpy())
    forget_top = top_k_tensor(model, forget_users, seen, k_max)
    result |= _ranking_metrics(forget_top, forget_users, test, ks, "forget_")
    if reference is not None:
        reference_top = top_k_tensor(reference, forget_users, seen, k_max).to(forget_top.device)
        for k in ks:
            result[f"rbo@{k}"] = mean_rbo(forget_top, reference_top, k, rbo_p)
    return result
