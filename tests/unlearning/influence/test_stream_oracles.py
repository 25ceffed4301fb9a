"""IFRU and SCIF along a stream of requests, against converged retrains on the data left.

A tiny L2-regularised MF converged on D answers four requests of three rows each, each
update starting from the last (``continues_from_model``). After request k the model is
compared with a retrain converged on D_k (warm-started from the previous one, so it
stays in the same basin), in prediction space (every user x item logit), which the
rotations of MF's embeddings that leave the loss unchanged do not move.

What the theory predicts: an influence update is one Newton step, so its error on a
request that moves the minimiser by s is the step's second-order remainder, O(s^2);
errors of chained updates add up, so after k requests the gap is at most
c * sum_j s_j^2, with c fixed by the first request. IFRU removes the deleted rows'
loss and follows that law. SCIF instead relabels the deleted rows (its target is not
the retrain on the data left), so its gap is first order in s; chained, it adds up as
c * sum_j s_j. Both tests check the growth, not a fixed number, plus a stated ceiling.
"""

from __future__ import annotations

from itertools import islice

import numpy as np
import pytest
import torch

from recunlearn.models import build_backbone
from recunlearn.models.config import TrainConfig
from recunlearn.unlearning import METHODS, PrepareContext, UnlearningRequest
from recunlearn.unlearning.stream import stream_request, unlearn_stream

from ..conftest import L2, all_scores, fit_to_convergence, noisy_low_rank, tiny_config

REQUESTS, ROWS = 4, 3
SETTINGS = {"solver": "direct", "hessian": "exact", "damping_rule": "lanczos", "damping": 1e-3}
EVERY_NODE = {"pruning_ratios": {"default": [1.0, 1.0, 1.0, 1.0]}}
SLACK = 1.25  # room for the remainder's constant to vary between requests


@pytest.fixture(scope="module")
def stream():
    """(Original, the request on D, the request index, the converged retrains on D_1..D_K)."""
    data = noisy_low_rank()
    index = np.full(len(data), -1)
    chosen = np.random.default_rng(1).permutation(len(data))[: REQUESTS * ROWS]
    index[chosen] = np.repeat(np.arange(REQUESTS), ROWS)
    original = build_backbone(
        "mf", 30, 20, tiny_config(2), data, torch.Generator().manual_seed(0)
    ).double()
    fit_to_convergence(original, data)
    retrains, previous = [], original
    for k in range(1, REQUESTS + 1):
        retrain = build_backbone("mf", 30, 20, tiny_config(2), data).double()
        retrain.load_state_dict(previous.state_dict())
        fit_to_convergence(retrain, data[(index < 0) | (index >= k)])
        retrains.append(previous := retrain)
    config = TrainConfig(l2=L2, embedding_dim=2)
    request = UnlearningRequest(original, data.assign(forget=False), data.iloc[:0], config, 0)
    return original, request, index, retrains


def gaps_and_steps(name: str, settings: dict, stream) -> tuple[np.ndarray, ...]:
    """Per request k: the gap ||f(unlearned_k) - f(retrain_k)||, the step
    ||f(retrain_k) - f(retrain_k-1)|| and the share of ||f(Original) - f(retrain_k)||
    the gap leaves."""
    original, request, index, retrains = stream
    method = METHODS[name](settings)
    state = method.prepare(PrepareContext.of(request))
    models = [o.model for o in unlearn_stream(method, state, request, index, REQUESTS)]
    start, targets = all_scores(original), [all_scores(r) for r in retrains]
    gaps = [(all_scores(m) - t).norm() for m, t in zip(models, targets, strict=True)]
    steps = [(b - a).norm() for a, b in zip([start, *targets], targets, strict=False)]
    moved = [(t - start).norm() for t in targets]
    gaps, steps, moved = (np.array([float(x) for x in xs]) for xs in (gaps, steps, moved))
    return gaps, steps, gaps / moved


def test_ifru_chained_stays_near_the_retrain_and_its_gap_grows_as_the_remainder(stream):
    """Measured: the gap leaves 18-22 % of the distance from Original; the ratio of
    the gap to sum s_j^2 falls from 0.35 to 0.19 (the bound holds with room)."""
    gaps, steps, shares = gaps_and_steps("ifru", SETTINGS | EVERY_NODE, stream)
    assert (shares < 0.3).all(), shares
    constant = gaps[0] / steps[0] ** 2
    assert (gaps <= SLACK * constant * np.cumsum(steps**2)).all(), (gaps, steps)


def test_scif_chained_gap_adds_up_at_most_linearly(stream):
    """SCIF's own gap to the retrain is first order (it relabels, see the module);
    measured: 56 % of the distance after one request, 70 % after four."""
    gaps, steps, shares = gaps_and_steps("scif", SETTINGS, stream)
    assert (shares < 0.85).all(), shares
    constant = gaps[0] / steps[0]
    assert (gaps <= SLACK * constant * np.cumsum(steps)).all(), (gaps, steps)


@pytest.mark.parametrize("name", ["ifru", "scif"])
def test_the_lanczos_damping_is_re_estimated_on_the_data_and_model_left(stream, name):
    """Request 2 re-estimates the damping on D_1 at the model request 1 left, which is
    what preparing on D_1 at that model gives (not the damping prepared on D)."""
    _, request, index, _ = stream
    method = METHODS[name](SETTINGS)
    state = method.prepare(PrepareContext.of(request))
    first, second = islice(unlearn_stream(method, state, request, index, REQUESTS), 2)
    assert first.log["damping_prepared"] and not second.log["damping_prepared"]
    again = stream_request(request, index, 1, first.model)
    assert second.log["damping"] == method.prepare(PrepareContext.of(again)).damping
    assert second.log["damping"] != state.damping


@pytest.mark.parametrize("rule", ["lanczos", "fixed"])
def test_the_carried_state_keeps_only_what_neither_d_nor_the_model_fixes(stream, rule):
    """After request 1 the state carried forward keeps a fixed damping and nothing formed
    on D (neighbourhoods, per-row curvature, the preconditioner's blocks); request 2 then
    answers exactly as a state prepared on D_1 at the model request 1 left."""
    _, request, index, _ = stream
    settings = SETTINGS | EVERY_NODE | {"solver": "cg", "tol": 1e-10, "max_iter": 200}
    method = METHODS["ifru"](settings | {"damping_rule": rule})
    state = method.prepare(PrepareContext.of(request))
    assert state.inverse_blocks is not None and state.curvature is not None
    first, second = islice(unlearn_stream(method, state, request, index, REQUESTS), 2)
    carried = first.next_state
    if rule == "lanczos":
        assert carried is None  # the damping depends on D and the model too
    else:
        assert carried.damping == state.damping and carried.rule == "fixed"
        assert (carried.neighbourhoods, carried.curvature, carried.inverse_blocks) == (None,) * 3
    again = stream_request(request, index, 1, first.model)
    fresh = method.unlearn(method.prepare(PrepareContext.of(again)), again)
    assert torch.equal(all_scores(second.model), all_scores(fresh.model))
