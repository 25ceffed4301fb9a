"""The direct fused Adam call against ``optimizer.step()``, bit for bit."""

import pytest
import torch

from recunlearn.training.fused_adam import adam_step, direct_parameters


def tables(seed=0, dtype=torch.float32):
    generator = torch.Generator().manual_seed(seed)
    shapes = [(7, 4), (5, 4)]
    return [torch.nn.Parameter(torch.randn(s, generator=generator, dtype=dtype)) for s in shapes]


def gradients(params, step):
    generator = torch.Generator().manual_seed(100 + step)
    for p in params:
        p.grad = torch.randn(p.shape, generator=generator, dtype=p.dtype)


def train(step, settings, steps=6, skip_grad_of_second=False):
    params = tables()
    optimizer = torch.optim.Adam(params, **({"lr": 0.05, "fused": True} | settings))
    for index in range(steps):
        gradients(params, index)
        if skip_grad_of_second and index == 3:
            params[1].grad = None
        step(optimizer)
    return params, optimizer


@pytest.mark.parametrize(
    "settings", [{}, {"weight_decay": 0.1}, {"betas": (0.8, 0.9), "eps": 1e-6}]
)
@pytest.mark.parametrize("skip", [False, True])
def test_the_direct_call_is_bitwise_the_optimizers_step(settings, skip):
    direct, direct_optimizer = train(adam_step, settings, skip_grad_of_second=skip)
    reference, reference_optimizer = train(lambda o: o.step(), settings, skip_grad_of_second=skip)
    for mine, theirs in zip(direct, reference, strict=True):
        assert torch.equal(mine, theirs)
    for mine, theirs in zip(direct, reference, strict=True):
        mine_state, their_state = direct_optimizer.state[mine], reference_optimizer.state[theirs]
        assert mine_state.keys() == their_state.keys()
        for key, value in their_state.items():
            assert torch.equal(mine_state[key], value), key


def test_it_steps_directly_only_once_the_state_is_made(monkeypatch):
    calls = []
    params, optimizer = train(adam_step, {}, steps=0)
    gradients(params, 0)
    assert direct_parameters(optimizer) is None  # no state yet: step() makes it
    adam_step(optimizer)
    original = torch._fused_adam_
    monkeypatch.setattr(torch, "_fused_adam_", lambda *a, **k: calls.append(1) or original(*a, **k))
    monkeypatch.setattr(optimizer, "step", lambda: pytest.fail("step() called"))
    adam_step(optimizer)
    assert calls == [1]


@pytest.mark.parametrize(
    "settings",
    [
        {"amsgrad": True},
        {"maximize": True},
        {"fused": False},
        {"decoupled_weight_decay": True, "weight_decay": 0.1},
        {"lr": torch.tensor(0.05)},
    ],
)
def test_other_settings_take_the_optimizers_step(settings):
    direct, _ = train(adam_step, settings)
    reference, optimizer = train(lambda o: o.step(), settings)
    assert direct_parameters(optimizer) is None
    for mine, theirs in zip(direct, reference, strict=True):
        assert torch.equal(mine, theirs)


def test_step_hooks_take_the_optimizers_step():
    params, optimizer = train(adam_step, {}, steps=2)
    seen = []
    optimizer.register_step_post_hook(lambda *_: seen.append(1))
    gradients(params, 2)
    assert direct_parameters(optimizer) is None
    adam_step(optimizer)
    assert seen == [1]
