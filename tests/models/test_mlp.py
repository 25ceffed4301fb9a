import math

import torch

from recunlearn.models.mlp import glorot_linear, relu_mlp


def test_glorot_linear_draws_within_the_glorot_bound_from_the_generator():
    layer = glorot_linear(40, 24, torch.Generator().manual_seed(0))
    bound = math.sqrt(6 / (40 + 24))
    assert layer.weight.abs().max() <= bound and layer.weight.abs().max() > 0.9 * bound
    assert torch.equal(layer.bias, torch.zeros(24))
    again = glorot_linear(40, 24, torch.Generator().manual_seed(0))
    assert torch.equal(layer.weight, again.weight)
    assert glorot_linear(3, 1, None, bias=False).bias is None


def test_relu_mlp_chains_the_widths_with_relus():
    mlp = relu_mlp(6, [5, 4], torch.Generator().manual_seed(1))
    shapes = [tuple(m.weight.shape) for m in mlp if isinstance(m, torch.nn.Linear)]
    assert shapes == [(5, 6), (4, 5)]
    assert all(isinstance(mlp[k], torch.nn.ReLU) for k in (1, 3))
    assert (mlp(torch.randn(7, 6, generator=torch.Generator().manual_seed(2))) >= 0).all()
