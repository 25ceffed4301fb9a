"""Adam's fused step without ``torch.optim``'s per-step Python work, for MF's hot loop.

``torch.optim.Adam(fused=True).step()`` spends about 100 us per call on the CPU in
Python (checking, grouping and profiling its tensors) around one call of the fused
kernel ``torch._fused_adam_``; an ML-100K MF epoch is 30 steps of about 0.8 ms, so that
is about an eighth of it. :func:`adam_step` makes the same two calls directly on the
optimizer's own state (the step counters' increment, then the kernel with the group's
settings), so parameters, moments and counters are bitwise those of ``step()``
(``tests/training/test_fused_adam.py``), and the optimizer's ``state_dict`` stays valid.

It does so only for a plain fused Adam: one parameter group, a float learning rate,
no AMSGrad, ``maximize``, decoupled weight decay, ``capturable`` or ``differentiable``,
no step hooks, every parameter with a gradient on one device and dtype, and its state
already made; anything else (and the first step, which makes the state) goes through
``optimizer.step()``.
"""

from __future__ import annotations

import torch
from torch.optim.optimizer import _global_optimizer_post_hooks, _global_optimizer_pre_hooks

OFF = ("amsgrad", "maximize", "capturable", "differentiable", "decoupled_weight_decay")
"""Adam settings under which the direct call is not the step (the step is then taken)."""


def adam_step(optimizer: torch.optim.Optimizer) -> None:
    """``optimizer.step()``: the fused kernel called directly where that is the same."""
    params = direct_parameters(optimizer)
    if params is None:
        optimizer.step()
        return
    group, state = optimizer.param_groups[0], [optimizer.state[p] for p in params]
    steps = [entry["step"] for entry in state]
    beta1, beta2 = group["betas"]
    with torch.no_grad():
        torch._foreach_add_(steps, 1)
        torch._fused_adam_(
            params,
            [p.grad for p in params],
            [entry["exp_avg"] for entry in state],
            [entry["exp_avg_sq"] for entry in state],
            [],
            steps,
            amsgrad=False,
            lr=group["lr"],
            beta1=beta1,
            beta2=beta2,
            weight_decay=group["weight_decay"],
            eps=group["eps"],
            maximize=False,
            grad_scale=None,
            found_inf=None,
        )


def direct_parameters(optimizer: torch.optim.Optimizer) -> list[torch.Tensor] | None:
    """The parameters the direct call steps (those with a gradient), or None where the
    call would not be ``optimizer.step()``."""
    if type(optimizer) is not torch.optim.Adam or len(optimizer.param_groups) != 1:
        return None
    group = optimizer.param_groups[0]
    if not group["fused"] or any(group.get(name) for name in OFF):
        return None
    if isinstance(group["lr"], torch.Tensor) or _has_hooks(optimizer):
        return None
    params = [p for p in group["params"] if p.grad is not None]
    kinds = {(p.device, p.dtype) for p in params} | {(p.grad.device, p.grad.dtype) for p in params}
    made = all("exp_avg" in optimizer.state.get(p, {}) for p in params)
    return params if params and made and len(kinds) == 1 else None


def _has_hooks(optimizer: torch.optim.Optimizer) -> bool:
    own = optimizer._optimizer_step_pre_hooks or optimizer._optimizer_step_post_hooks
    return bool(own or _global_optimizer_pre_hooks or _global_optimizer_post_hooks)
