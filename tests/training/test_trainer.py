import numpy as np
import pytest
import torch

from recunlearn.evaluation.auc import auc
from recunlearn.models import BACKBONES, build_backbone
from recunlearn.training import TrainConfig, score_rows, train_backbone

from ..conftest import checkerboard


def fit(name, train, valid, cfg, seed=0, device="cpu"):
    init, batches = torch.Generator().manual_seed(seed), torch.Generator().manual_seed(seed + 1)
    model = build_backbone(name, 24, 18, cfg, train, init)
    return model, train_backbone(model, train, valid, cfg, batches, device)


CFG = TrainConfig(
    embedding_dim=8, init_std=0.1, lr=0.05, batch_size=64, max_epochs=200, patience=10
)
# ENMF's whole-data loss treats every held-out pair as a weighted negative; on this
# dense toy matrix it memorises the training half unless regularised.
CONFIGS = {"enmf": CFG.model_copy(update={"l2": 1.0})}


@pytest.mark.parametrize("name", sorted(BACKBONES))
def test_backbone_learns_the_checkerboard(name, torch_device):
    data = checkerboard(density=0.8)
    train, valid = data.iloc[::2], data.iloc[1::2]
    model, log = fit(name, train, valid, CONFIGS.get(name, CFG), device=torch_device)
    assert log.best_valid_auc > 0.9
    assert auc(valid["label"].to_numpy(), score_rows(model, valid)) == pytest.approx(
        log.best_valid_auc
    )
    assert log.device == torch_device


@pytest.mark.parametrize("name", sorted(BACKBONES))
def test_same_seed_same_model(name):
    data = checkerboard()
    a, log_a = fit(name, data.iloc[::2], data.iloc[1::2], CFG)
    b, log_b = fit(name, data.iloc[::2], data.iloc[1::2], CFG)
    assert torch.equal(a.user_embedding, b.user_embedding)
    assert log_a.history == log_b.history


def test_early_stopping_restores_the_best_epoch():
    data = checkerboard()
    cfg = CFG.model_copy(update={"patience": 3, "min_delta": 0.5})
    model, log = fit("mf", data.iloc[::2], data.iloc[1::2], cfg)
    assert log.epochs == log.best_epoch + 3
    assert log.best_valid_auc == log.history[log.best_epoch - 1]["valid_auc"]


def test_without_validation_rows_trains_max_epochs():
    data = checkerboard()
    cfg = CFG.model_copy(update={"max_epochs": 4})
    _, log = fit("mf", data, data.iloc[0:0], cfg)
    assert log.epochs == 4 and log.best_epoch == 4 and np.isnan(log.best_valid_auc)


def test_train_config_rejects_unknown_and_bad_values():
    with pytest.raises(ValueError, match="lr"):
        TrainConfig(lr=-1)
    with pytest.raises(ValueError, match="learning_rate"):
        TrainConfig.model_validate({"learning_rate": 0.1})
