"""IFRU and SCIF with ``elimination``: the whole system's update, in fewer products,
exactly where the restricted Hessian is bipartite."""

import pytest
import torch

from recunlearn.models.base import Recommender
from recunlearn.unlearning import METHODS, PrepareContext
from recunlearn.unlearning.influence.ifru import IFRU

from ..test_contract import make_request
from .test_influence_methods import EXACT, request_for

TIGHT = EXACT | {"solver": "cg", "tol": 1e-12, "max_iter": 500}


def method_fields(name: str) -> set[str]:
    return set(METHODS[name].config_type.model_fields)


def updates(model: Recommender) -> torch.Tensor:
    """Every parameter of ``model``, flattened (the influence methods move embeddings)."""
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()])


def test_prepare_stores_the_eliminated_sides_exact_blocks(converged_mf):
    original, train = converged_mf
    state = IFRU(TIGHT).prepare(PrepareContext.of(request_for(original, train)))
    assert state.eliminated_blocks is not None
    assert state.eliminated_blocks.shape == (20, 2, 2)  # items: 20 < 30 users
    assert state.eliminated_blocks.dtype == original.user_embedding.dtype  # never rounded
    none = IFRU(TIGHT | {"elimination": "none"})
    assert none.prepare(PrepareContext.of(request_for(original, train))).eliminated_blocks is None


@pytest.mark.parametrize("name", ["ifru", "scif"])
@pytest.mark.parametrize("prepared", [True, False])
def test_elimination_keeps_the_update_in_fewer_products(converged_mf, name, prepared):
    original, train = converged_mf
    outcomes = {}
    for elimination in ("auto", "none"):
        settings = {key: value for key, value in TIGHT.items() if key in method_fields(name)}
        method = METHODS[name](settings | {"elimination": elimination})
        context = PrepareContext.of(request_for(original, train))
        state = method.prepare(context) if prepared else None
        outcomes[elimination] = method.unlearn(state, request_for(original, train))
    reduced, whole = outcomes["auto"], outcomes["none"]
    assert reduced.log["eliminated"] == "items" and whole.log["eliminated"] is None
    assert reduced.log["hvp_count"] < whole.log["hvp_count"]
    assert reduced.log["relative_residual"] <= 1e-12
    torch.testing.assert_close(updates(reduced.model), updates(whole.model), atol=1e-8, rtol=1e-7)


@pytest.mark.parametrize("backbone", sorted(IFRU.supported_backbones))
@pytest.mark.parametrize(("hessian", "damping"), [("exact", 20.0), ("gauss_newton", 1.0)])
def test_every_backbone_gets_the_whole_systems_update(interactions, backbone, hessian, damping):
    """Over the backbone registry: the default (``auto``) and ``none`` agree to the
    solver's tolerance, so a backbone whose Hessian is not bipartite (a graph) is never
    eliminated, and one that is, is eliminated correctly. The damping is large enough
    that neither meets negative curvature (a restart's damping depends on the direction
    met, so restarted solves need not agree)."""
    request = make_request(interactions, backbone, forget_users=(4, 7))
    settings = {"solver": "cg", "tol": 1e-6, "max_iter": 500, "damping_rule": "fixed"}
    settings |= {"damping": damping, "hessian": hessian}
    outcomes = {
        elimination: IFRU(settings | {"elimination": elimination}).unlearn(None, request)
        for elimination in ("auto", "none")
    }
    assert {o.log["curvature_restarts"] for o in outcomes.values()} == {0}
    reduced, whole = (updates(outcomes[key].model) for key in ("auto", "none"))
    moved = (whole - updates(request.original)).norm()
    assert (reduced - whole).norm() <= 1e-5 * moved
    no_graph = request.original.graph_hops == 0
    closed_form = request.original.linear_propagation() is not None
    assert (outcomes["auto"].log["eliminated"] is not None) == (no_graph and closed_form)
