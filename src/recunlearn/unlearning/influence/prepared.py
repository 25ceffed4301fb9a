"""The prepared state of IFRU and SCIF: every part of a request's work that D and the
model determine, formed once in ``prepare`` (issue 24: a request does only its own
pruning walk, gradient, solve and update).

- the damping (:class:`DampingState`: the fixed value, or the Lanczos rule's);
- ``neighbourhoods``: the adjacency matrices that Algorithm 1 pruning, the spillover
  rows and the Hessian rows of graph backbones walk, with the degrees
  (:class:`~recunlearn.influence.neighbourhood.Neighbourhoods`);
- ``curvature``: the per-row curvature terms of D at the model (closed-form products:
  :class:`~recunlearn.influence.dot_product.RowCurvature`), which each request
  restricts to its Hessian rows;
- ``inverse_blocks``: the block-Jacobi preconditioner, (B_a + damping I)^-1 for every
  user and item a (``preconditioner: block_jacobi`` only);
- ``eliminated_blocks``: the same inverses, exact (in the curvature's dtype, never
  rounded), for every node of the side CG eliminates (``elimination: auto`` on MF).

A part that is ``None`` is formed by the request that needs it, inside its timed call
(``unprepared_seconds``). Every part depends on D, and all but the neighbourhoods and a
fixed damping on the model too, so after a request (D - D_r, a new model) only the
fixed damping is kept: see :meth:`InfluenceState.carried`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch

from recunlearn.influence.dot_product import RowCurvature
from recunlearn.influence.neighbourhood import Neighbourhoods
from recunlearn.influence.spectrum import SpectrumEstimate
from recunlearn.models.row_pattern import RowPattern
from recunlearn.unlearning.influence.damping import DampingState


def _csr_tensors(matrix: sp.csr_matrix) -> list[torch.Tensor]:
    return [torch.from_numpy(matrix.indptr.astype(np.int64)), torch.from_numpy(matrix.indices)]


def _csr_matrix(tensors: list[torch.Tensor], n_nodes: int) -> sp.csr_matrix:
    indptr, indices = (t.numpy() for t in tensors)
    return sp.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(n_nodes, n_nodes))


@dataclass(frozen=True, kw_only=True)
class InfluenceState(DampingState):
    """The damping and the request-independent structures of an influence method.

    Attributes:
        n_rows: the rows of D the structures were formed on (a request on other rows
            forms its own).
        neighbourhoods: the adjacency matrices pruning and spillover walk.
        curvature: the per-row curvature terms of D at the model.
        inverse_blocks: (B_a + damping I)^-1 for every node, N x d x d.
        eliminated_blocks: (B_a + damping I)^-1, exact, for every node of the side CG
            eliminates (:func:`~recunlearn.influence.elimination.eliminated_side`).
    """

    kind = "influence"

    n_rows: int
    neighbourhoods: Neighbourhoods | None = None
    curvature: RowCurvature | None = None
    inverse_blocks: torch.Tensor | None = None
    eliminated_blocks: torch.Tensor | None = None

    def carried(self) -> InfluenceState | None:
        """The state for the next request of a stream (D - D_r, the unlearned model).

        Kept: a fixed damping (it depends on neither). Formed again by the next request
        (they depend on D): the neighbourhoods and degrees; and, as they depend on the
        model too, the per-row curvature, the preconditioner's blocks and a Lanczos
        damping (re-estimated on D - D_r at the new model: updates leave the minimum,
        so the old damping may no longer make the new Hessian positive definite).
        """
        if self.rule != "fixed":
            return None
        return InfluenceState(seconds=self.seconds, rule="fixed", damping=self.damping, n_rows=-1)

    def config(self) -> dict[str, Any]:
        neighbourhoods = self.neighbourhoods
        shared = neighbourhoods is not None and neighbourhoods.pruning is neighbourhoods.graph
        return super().config() | {
            "n_rows": self.n_rows,
            "n_users": None if neighbourhoods is None else neighbourhoods.n_users,
            "pruning_is_graph": shared,
        }

    def tensors(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.neighbourhoods is not None:
            out["graph"] = _csr_tensors(self.neighbourhoods.graph)
            out["pruning"] = _csr_tensors(self.neighbourhoods.pruning)
        if self.curvature is not None:
            terms = self.curvature
            out["curvature"] = terms.pattern.parts() | {
                "final": terms.final,
                "weight": terms.weight,
                "residual": terms.residual,
            }
        for name in ("inverse_blocks", "eliminated_blocks"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        return out

    @classmethod
    def restore(
        cls, config: dict[str, Any], tensors: dict[str, Any], seconds: float
    ) -> InfluenceState:
        damping = DampingState.restore(config, {}, seconds)
        return cls(
            seconds=seconds,
            rule=damping.rule,
            damping=damping.damping,
            estimate=damping.estimate,
            n_rows=config["n_rows"],
            neighbourhoods=_neighbourhoods(config, tensors),
            curvature=_curvature(tensors),
            inverse_blocks=tensors.get("inverse_blocks"),
            eliminated_blocks=tensors.get("eliminated_blocks"),
        )

    def with_damping(self, damping: DampingState) -> InfluenceState:
        """This state with ``damping``'s rule, value and estimate."""
        estimate: SpectrumEstimate | None = damping.estimate
        return replace(self, rule=damping.rule, damping=damping.damping, estimate=estimate)


def _neighbourhoods(config: dict[str, Any], tensors: dict[str, Any]) -> Neighbourhoods | None:
    if "graph" not in tensors:
        return None
    n_nodes = len(tensors["graph"][0]) - 1
    graph = _csr_matrix(tensors["graph"], n_nodes)
    pruning = graph if config["pruning_is_graph"] else _csr_matrix(tensors["pruning"], n_nodes)
    return Neighbourhoods(pruning, graph, config["n_users"])


def _curvature(tensors: dict[str, Any]) -> RowCurvature | None:
    if "curvature" not in tensors:
        return None
    parts = dict(tensors["curvature"])
    final, weight, residual = (parts.pop(name) for name in ("final", "weight", "residual"))
    pattern = RowPattern.from_parts(parts, final.shape[0])
    return RowCurvature(pattern, final, weight, residual)
