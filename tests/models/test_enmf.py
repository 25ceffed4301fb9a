"""ENMF's efficient whole-data loss against the brute-force sum over every pair."""

import numpy as np
import pytest
import torch

from recunlearn.models import build_backbone
from recunlearn.models.config import TrainConfig
from recunlearn.predictions import rows_to_tensors

C0, L2 = 0.3, 0.07


def enmf(interactions, seed=0):
    model = build_backbone(
        "enmf",
        24,
        18,
        TrainConfig(embedding_dim=5, init_std=0.4),
        interactions,
        torch.Generator().manual_seed(seed),
    ).double()
    with torch.no_grad():  # a non-trivial prediction layer
        model.prediction.copy_(torch.linspace(0.5, 1.5, 5, dtype=torch.float64))
    return model


def brute_force_loss(model, rows) -> float:
    """sum over all 24 x 18 pairs of w (y - y_hat)^2 + l2 (|P|^2 + |Q|^2 + |h|^2), in NumPy."""
    p = model.user_embedding.detach().numpy()
    q = model.item_embedding.detach().numpy()
    h = model.prediction.detach().numpy()
    predicted = (p * h) @ q.T
    weight = np.full(predicted.shape, C0)
    target = np.zeros(predicted.shape)
    weight[rows["user"], rows["item"]] = 1.0
    target[rows["user"], rows["item"]] = rows["label"]
    squares = float(np.sum(weight * (target - predicted) ** 2))
    return squares + L2 * float(np.sum(p**2) + np.sum(q**2) + np.sum(h**2))


def test_whole_data_loss_equals_the_sum_over_every_pair(interactions):
    model = enmf(interactions)
    rows = rows_to_tensors(interactions, "cpu")
    loss = model.batch_loss(torch.arange(24), rows, C0, L2)
    assert float(loss.detach()) == pytest.approx(brute_force_loss(model, interactions), rel=1e-12)


def test_user_batches_partition_the_whole_loss(interactions):
    model = enmf(interactions, seed=1)
    rows = rows_to_tensors(interactions, "cpu")
    users = rows[0]
    order = torch.randperm(24, generator=torch.Generator().manual_seed(2))
    total = 0.0
    for batch in order.split(7):
        keep = torch.isin(users, batch)
        total += float(model.batch_loss(batch, tuple(t[keep] for t in rows), C0, L2))
    assert total == pytest.approx(brute_force_loss(model, interactions), rel=1e-12)


def test_enmf_has_no_per_row_loss(interactions):
    model = enmf(interactions)
    users, items, labels = rows_to_tensors(interactions, "cpu")
    with pytest.raises(NotImplementedError, match="whole-data loss"):
        model.row_losses(users, items, labels, L2)


def test_scores_are_the_prediction_layer_of_the_elementwise_product(interactions):
    model = enmf(interactions)
    p, q, h = (
        t.detach().numpy() for t in (model.user_embedding, model.item_embedding, model.prediction)
    )
    with torch.no_grad():
        scores = model.scorer().users(torch.arange(24)).numpy()
    np.testing.assert_allclose(scores, np.einsum("ud,vd,d->uv", p, q, h), rtol=1e-12)
