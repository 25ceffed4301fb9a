"""IFRU: recommendation unlearning via influence function (Zhang et al., TORS 2024).

theta' = theta_hat + (1/|D|) H^-1 grad[L_d + L_s]   (Eq. 13-14, 19)

- L_d: the summed training loss of D_r at theta_hat (Eq. 8).
- L_s: spillover, sum over D_c of l(f(u,i; D)) - l(f(u,i; D - D_r)) (Eq. 9): the
  rows of D - D_r whose prediction changes when D_r's edges leave the graph. The
  backbone evaluates itself on the D - D_r graph through ``graph_state``; for MF
  (``graph_hops = 0``) D_c is empty, so nothing here names a backbone.
- Only the embeddings kept by Algorithm 1 pruning (ratios a_0..a_K) move; its
  neighbourhoods N_v are D's positive rows, as the paper's N_u ("items positively
  interacted by u"); ``neighbourhood_rows: all`` counts every labelled row instead.
- The returned model predicts over the D - D_r graph.

``ifru`` is the paper's method: H is the exact Hessian of the training loss on D, damped
by the Lanczos rule (see :mod:`influence_base`), estimated when the model is learned.
``ifru_gn`` inverts the generalised Gauss-Newton matrix instead (positive semi-definite
at any model) with a fixed damping: a variant, labelled as such wherever it is reported.
"""

from __future__ import annotations

from typing import Any

from recunlearn.influence.neighbourhood import prune, spillover_rows
from recunlearn.influence.objective import EmbeddingObjective, LossTerm, Selection
from recunlearn.models import positive_edges
from recunlearn.unlearning.base import UnlearningRequest
from recunlearn.unlearning.influence.base import InfluenceUnlearning
from recunlearn.unlearning.influence.config import IFRUConfig
from recunlearn.unlearning.influence.prepared import InfluenceState


class IFRU(InfluenceUnlearning):
    """IFRU's selection (Algorithm 1) and removed loss (Eq. 8-9), for either Hessian:
    the exact one damped by the Lanczos rule from ``prepare`` by default; the registry's
    ``ifru_gn`` is the Gauss-Newton matrix with a fixed damping."""

    name = "ifru"
    label = "IFRU"
    config_type = IFRUConfig
    contract_settings = {"max_iter": 20, "lanczos_steps": 8}

    @property
    def positive_neighbourhoods(self) -> bool:  # type: ignore[override]
        """Algorithm 1's N_v: D's positive rows (the paper's), or every row (``all``)."""
        return self.config.neighbourhood_rows == "positive"

    def select(self, request: UnlearningRequest, state: InfluenceState) -> Selection:
        ratios = self.config.ratios_for(request.original.name)
        return prune(request.forget_rows, state.neighbourhoods, ratios)

    def removed_terms(
        self, request: UnlearningRequest, objective: EmbeddingObjective, state: InfluenceState
    ) -> tuple[list[LossTerm], dict[str, Any]]:
        model = request.original
        direct = LossTerm(request.forget_rows)
        spill = request.train_rows.iloc[0:0]
        if self.config.spillover:
            spill = spillover_rows(request.train_rows, state.neighbourhoods, model.graph_hops)
        if spill.empty:
            return [direct], {"spillover_rows": 0}
        device = model.user_embedding.device
        new_graph = model.graph_state(*(t.to(device) for t in positive_edges(request.retain_rows)))
        terms = [direct, LossTerm(spill), LossTerm(spill, -1.0, new_graph)]
        return terms, {"spillover_rows": len(spill)}
