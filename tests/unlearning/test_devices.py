"""Every registered method runs on the request's device: CPU always, CUDA where present."""

import pytest
import torch

from recunlearn.models import build_backbone
from recunlearn.training import TrainConfig
from recunlearn.unlearning import METHODS, UnlearningRequest

SMALL = {
    "retrain": {},
    "retrain_star": {},
    "warm_start": {},
    "ifru": {"max_iter": 20},
    "scif": {"max_iter": 20},
    "alteraser_ah": {"max_passes": 1},
    "alteraser_hf": {"max_passes": 1, "cg_iterations": 5},
    "alteraser_adamw": {"max_passes": 1},
}


def test_every_method_has_a_small_setting():
    assert set(SMALL) == set(METHODS)


@pytest.mark.parametrize("backbone", ["mf", "lightgcn"])
@pytest.mark.parametrize("name", sorted(METHODS))
def test_method_keeps_the_model_on_the_request_device(interactions, torch_device, name, backbone):
    train = interactions.assign(forget=False)
    train.loc[train.sample(6, random_state=1).index, "forget"] = True
    model = build_backbone(
        backbone,
        24,
        18,
        TrainConfig(embedding_dim=4, init_std=0.3, n_layers=1),
        train,
        torch.Generator().manual_seed(0),
    ).to(torch_device)
    config = TrainConfig(embedding_dim=4, n_layers=1, max_epochs=3, batch_size=64)
    request = UnlearningRequest(model, train, train.iloc[:20], config, 0, torch_device)
    outcome = METHODS[name](SMALL[name]).unlearn(request)
    for tensor in (*outcome.model.parameters(), *outcome.model.buffers()):
        assert tensor.device.type == torch.device(torch_device).type
        assert torch.isfinite(tensor.to_dense() if tensor.is_sparse else tensor).all()
    assert outcome.log["seconds"] >= 0
