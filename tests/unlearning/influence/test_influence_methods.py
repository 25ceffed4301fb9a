"""Oracles for IFRU and SCIF: retraining, finite differences, harmlessness."""

import numpy as np
import pandas as pd
import pytest
import torch

from recunlearn.influence.neighbourhood import Neighbourhoods, spillover_rows
from recunlearn.influence.objective import EmbeddingObjective, Selection
from recunlearn.models import build_backbone, positive_edges
from recunlearn.models.config import LightGCNConfig, TrainConfig
from recunlearn.unlearning import METHODS, PrepareContext, UnlearningRequest
from recunlearn.unlearning.influence import prepared_blocks
from recunlearn.unlearning.influence.ifru import IFRU
from recunlearn.unlearning.influence.scif import SCIF, neighbourhood_labels

from ...conftest import backbone_config
from ..conftest import L2, fit_to_convergence, flat, noisy_low_rank

# Every embedding moves (ratios 1, deep enough to reach all nodes). A small damping is
# needed: MF's loss is invariant to rotating all embeddings together, so H is singular
# along those directions and an undamped solve amplifies round-off along them.
EXACT = {"solver": "direct", "damping": 1e-3, "pruning_ratios": {"default": [1.0, 1.0, 1.0, 1.0]}}


def request_for(model, train):
    return UnlearningRequest(
        model, train, train.iloc[0:0], TrainConfig(l2=L2, embedding_dim=2), seed=0
    )


def test_ifru_lands_near_a_warm_started_retrain(converged_mf):
    original, train = converged_mf
    retrained = build_backbone(
        "mf", 30, 20, TrainConfig(embedding_dim=2, init_std=0.3), train
    ).double()
    retrained.load_state_dict(original.state_dict())
    fit_to_convergence(retrained, train[~train["forget"]])
    unlearned = IFRU(EXACT).unlearn(None, request_for(original, train)).model
    moved = (flat(original) - flat(retrained)).norm()
    remaining = (flat(unlearned) - flat(retrained)).norm()
    # Threshold: the influence update removes at least two thirds of the distance.
    assert remaining < moved / 3, (float(remaining), float(moved))


def test_ifru_with_cg_matches_the_direct_solve(converged_mf):
    original, train = converged_mf
    direct = IFRU(EXACT).unlearn(None, request_for(original, train)).model
    cg = (
        IFRU(EXACT | {"solver": "cg", "tol": 1e-12, "max_iter": 500})
        .unlearn(None, request_for(original, train))
        .model
    )
    torch.testing.assert_close(flat(cg), flat(direct), atol=1e-7, rtol=1e-6)


def test_the_block_jacobi_preconditioner_reaches_cg_and_keeps_its_solution(converged_mf):
    original, train = converged_mf
    settings = EXACT | {"solver": "cg", "tol": 1e-12, "max_iter": 500}
    plain = IFRU(settings | {"preconditioner": "none"}).unlearn(None, request_for(original, train))
    preconditioned = IFRU(settings).unlearn(  # the default
        None, request_for(original, train)
    )
    assert not plain.log["preconditioned"] and preconditioned.log["preconditioned"]
    assert preconditioned.log["hvp_count"] < plain.log["hvp_count"]
    torch.testing.assert_close(flat(preconditioned.model), flat(plain.model), atol=1e-7, rtol=1e-6)
    adam = IFRU(settings | {"solver": "adam", "preconditioner": "block_jacobi", "max_iter": 5})
    assert not adam.unlearn(None, request_for(original, train)).log["preconditioned"]


@pytest.mark.parametrize(
    ("tol", "fast", "stored"),
    [
        (1e-3, True, torch.bfloat16),
        (1e-12, True, torch.float32),
        (1e-3, False, torch.float32),  # an AVX2 CPU: bfloat16 bmm is slow there
    ],
)
def test_auto_precision_stores_bfloat16_blocks_only_where_the_tolerance_allows(
    converged_mf, tol, fast, stored, monkeypatch
):
    """``auto``: bfloat16 blocks for tol >= 1e-4 where the device multiplies bfloat16
    natively (else float32); either way CG reaches the tolerance, and the bfloat16
    solve lands on the float32 blocks' solve."""
    monkeypatch.setattr(prepared_blocks, "bfloat16_blocks_are_fast", lambda device: fast)
    original, train = converged_mf
    settings = EXACT | {"solver": "cg", "tol": tol, "max_iter": 500}
    method = IFRU(settings)
    state = method.prepare(PrepareContext.of(request_for(original, train)))
    assert state.inverse_blocks.dtype == stored
    outcome = method.unlearn(state, request_for(original, train))
    assert outcome.log["preconditioned"] and outcome.log["relative_residual"] <= tol
    full = IFRU(settings | {"preconditioner_precision": "float32"})
    reference = full.unlearn(None, request_for(original, train)).model
    moved = (flat(reference) - flat(original)).norm()
    assert (flat(outcome.model) - flat(reference)).norm() < 0.01 * moved


@pytest.mark.parametrize("name", ["ifru", "scif"])
@pytest.mark.parametrize("backbone", ["mf", "lightgcn"])
def test_empty_forget_set_returns_original_parameters_exactly(interactions, name, backbone):
    model = build_backbone(
        backbone,
        24,
        18,
        backbone_config(backbone, embedding_dim=4, init_std=0.3, n_layers=1),
        interactions,
        torch.Generator().manual_seed(0),
    )
    train = interactions.assign(forget=False)
    outcome = METHODS[name]().unlearn(None, request_for(model, train))
    for key, value in model.state_dict().items():
        assert torch.equal(outcome.model.state_dict()[key], value), key


def test_lightgcn_spillover_gradient_matches_finite_differences(interactions):
    train = interactions.assign(forget=False)
    train.loc[train.index[:8], "forget"] = True
    model = build_backbone(
        "lightgcn",
        24,
        18,
        LightGCNConfig(embedding_dim=3, init_std=0.3, n_layers=1),
        train,
        torch.Generator().manual_seed(1),
    ).double()
    spill = spillover_rows(train, Neighbourhoods.of(train, 24, 18), 1)
    objective = EmbeddingObjective(model, Selection(torch.arange(24), torch.arange(18)), l2=0.01)
    new_graph = model.graph_state(*positive_edges(train[~train["forget"]]))
    old_loss, new_loss = objective.summed_loss(spill), objective.summed_loss(spill, new_graph)
    spillover = lambda phi: old_loss(phi) - new_loss(phi)  # noqa: E731
    gradient = objective.gradient(spillover)
    phi = objective.initial()
    for seed in range(3):
        direction = torch.randn(
            phi.shape, generator=torch.Generator().manual_seed(seed), dtype=phi.dtype
        )
        eps = 1e-6
        numeric = (spillover(phi + eps * direction) - spillover(phi - eps * direction)) / (2 * eps)
        assert float(gradient @ direction) == pytest.approx(float(numeric), rel=1e-5, abs=1e-8)
    assert abs(float(gradient.norm())) > 0


def test_ifru_moves_only_the_selected_embeddings_and_logs_its_work(interactions):
    model = build_backbone(
        "lightgcn",
        24,
        18,
        LightGCNConfig(embedding_dim=4, init_std=0.3, n_layers=1),
        interactions,
        torch.Generator().manual_seed(0),
    )
    train = interactions.assign(forget=False)
    train.loc[train.index[:3], "forget"] = True
    outcome = IFRU({"pruning_ratios": {"default": [1.0]}}).unlearn(None, request_for(model, train))
    forget_users = set(train.loc[train["forget"], "user"])
    changed = (outcome.model.user_embedding - model.user_embedding).abs().sum(1) > 0
    assert set(np.flatnonzero(changed.detach().numpy())) <= forget_users
    log = outcome.log
    assert log["params_moved"] == 4 * (log["users_moved"] + log["items_moved"])
    assert log["hvp_count"] >= 1 and log["spillover_rows"] > 0 and log["relative_residual"] < 1e-3
    phases = ("unprepared", "setup", "gradient", "solve", "update")
    assert sum(log[f"{phase}_seconds"] for phase in phases) == pytest.approx(log["seconds"])
    # The unlearned model serves the D - D_r graph.
    assert len(outcome.model.graph_users) == int((train.loc[~train["forget"], "label"] == 1).sum())


def test_spillover_ablation_changes_the_update(interactions):
    model = build_backbone(
        "lightgcn",
        24,
        18,
        LightGCNConfig(embedding_dim=4, init_std=0.3, n_layers=1),
        interactions,
        torch.Generator().manual_seed(0),
    )
    train = interactions.assign(forget=False)
    train.loc[train.index[:5], "forget"] = True
    with_spill = IFRU().unlearn(None, request_for(model, train)).model
    without = IFRU({"spillover": False}).unlearn(None, request_for(model, train)).model
    assert not torch.allclose(with_spill.user_embedding, without.user_embedding)


def test_scif_neighbourhood_labels_by_hand():
    retain = pd.DataFrame({"user": [0, 0, 1], "item": [5, 6, 7], "label": [1, 0, 1]})
    forget = pd.DataFrame({"user": [0, 2], "item": [7, 9], "label": [0, 1]})
    # row (0, 7): user 0 labels {1, 0} + item 7 labels {1} -> 2/3; row (2, 9): none -> mean 2/3.
    assert neighbourhood_labels(forget, retain).tolist() == pytest.approx([2 / 3, 2 / 3])


def test_scif_moves_only_the_forget_users_and_items(converged_mf):
    original, train = converged_mf
    outcome = SCIF({"solver": "direct", "damping": 0.0}).unlearn(None, request_for(original, train))
    forget = train[train["forget"]]
    changed_users = np.flatnonzero(
        ((outcome.model.user_embedding - original.user_embedding).abs().sum(1) > 0).numpy()
    )
    assert set(changed_users) <= set(forget["user"])
    assert outcome.log["users_moved"] == forget["user"].nunique()


def test_validation_selection_is_opt_in_labelled_and_never_worse_on_validation(converged_mf):
    """The published code's valid-best Adam iterate: off by default, logged when on, and
    its validation AUC is at least that of Original (step 0) and of the last iterate."""
    from recunlearn.predictions import auc, score_rows

    original, train = converged_mf
    valid = noisy_low_rank(seed=9).drop_duplicates(["user", "item"])
    request = UnlearningRequest(original, train, valid, TrainConfig(l2=L2, embedding_dim=2), seed=0)
    settings = {"solver": "adam", "max_iter": 60, "adam_lr": 0.05, "validate_every": 3}
    plain = IFRU(settings).unlearn(None, request)
    chosen = IFRU(settings | {"select_on_validation": True}).unlearn(None, request)
    assert plain.log["selected_on_validation"] is False and plain.log["selected_iteration"] is None
    assert chosen.log["selected_on_validation"] is True
    assert chosen.log["selected_iteration"] % 3 == 0 or chosen.log["selected_iteration"] == 60

    def valid_auc(model):
        return auc(valid["label"].to_numpy(), score_rows(model, valid))

    assert valid_auc(chosen.model) >= max(valid_auc(plain.model), valid_auc(original)) - 1e-12
    with pytest.raises(ValueError, match="select_on_validation needs solver 'adam'"):
        IFRU({"select_on_validation": True})


@pytest.mark.parametrize(
    ("reading", "moved"), [("positive", ([0, 1], [0, 1])), ("all", ([0, 1, 2], [0, 1, 2]))]
)
def test_ifru_prunes_over_positive_neighbourhoods_unless_told_all(reading, moved):
    """The hand graph of tests/influence/test_neighbourhood.py: u0-i0 forgotten; the
    negative rows u0-i2 and u2-i0 join the 1-hop neighbourhood only under ``all``."""
    pairs = [(0, 0), (0, 1), (0, 2), (1, 0), (2, 0), (3, 2)]
    train = pd.DataFrame(pairs, columns=["user", "item"]).assign(label=[1, 1, 0, 1, 0, 0])
    train["forget"] = train.index == 0
    model = build_backbone(
        "mf", 4, 3, backbone_config("mf", embedding_dim=2, init_std=0.3), train,
        torch.Generator().manual_seed(0),
    ).double()  # fmt: skip
    settings = {"solver": "direct", "damping_rule": "fixed", "neighbourhood_rows": reading}
    outcome = IFRU(settings).unlearn(None, request_for(model, train))
    changed = [
        np.flatnonzero((new - old).abs().sum(1).detach().numpy() > 0).tolist()
        for new, old in ((outcome.model.user_embedding, model.user_embedding),
                         (outcome.model.item_embedding, model.item_embedding))
    ]  # fmt: skip
    assert tuple(changed) == moved
