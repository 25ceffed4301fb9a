"""Settings of the influence methods: the inverse-HVP solver's, which IFRU and SCIF extend.

Importable without torch: the parameter check and the pipelines read them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from recunlearn.influence.solver_settings import (
    ITERATE_SELECTING_SOLVERS,
    SolverName,
    SolverSettings,
)
from recunlearn.parameters import backbone_keyed

BFLOAT16_TOL = 1e-4
"""The smallest ``tol`` for which ``preconditioner_precision: auto`` stores bfloat16."""


class SolverConfig(BaseModel):
    """Inverse-HVP settings shared by the influence methods."""

    model_config = ConfigDict(extra="forbid")

    hessian: Literal["exact", "gauss_newton"] = "exact"
    """``exact``: the Hessian of the training loss (the papers'). ``gauss_newton``: its
    positive semi-definite generalised Gauss-Newton part, for models that are not at a
    minimum (early-stopped), where the exact Hessian is indefinite."""
    solver: SolverName = "cg"
    """cg (default) | adam (the IFRU paper's) | direct (explicit Hessian, small problems):
    :data:`recunlearn.influence.solver_settings.SolverName`."""
    damping: float = Field(0.01, ge=0)
    """Added to the summed-loss Hessian's diagonal (the floor of the ``lanczos`` rule)."""
    tol: float = Field(1e-4, gt=0)
    """Stop when ||(H + damping) x - b|| <= tol * ||b||."""
    max_iter: int = Field(100, ge=1)
    adam_lr: float = Field(0.01, gt=0)
    """Step size of the ``adam`` solver."""
    select_on_validation: bool = False
    """Opt-in, ``adam`` only: return the Adam iterate with the best validation AUC_0,
    checked every ``validate_every`` steps (the published IFRU code's practice). It
    chooses the update with held-out data, so the log and the report mark every
    result that uses it (``selected_on_validation``). Off by default."""
    validate_every: int = Field(10, ge=1)
    damping_rule: Literal["fixed", "lanczos"] = "lanczos"
    """``fixed``: ``damping`` as given. ``lanczos``: minus a Lanczos estimate of H's
    lowest eigenvalue on D (an estimate, not a bound), times (1 + ``damping_margin``),
    and at least ``damping``. CG raises either where it meets non-positive curvature."""
    damping_margin: float = Field(0.1, ge=0)
    """Relative margin of the ``lanczos`` rule over the estimated -lambda_min."""
    lanczos_steps: int = Field(30, ge=2)
    """Hessian-vector products of the Lanczos estimate."""
    preconditioner: Literal["block_jacobi", "none"] = "block_jacobi"
    """``block_jacobi``: CG preconditioned by the per-user / per-item d x d Hessian
    blocks (closed-form products only), inverted once in ``prepare`` with the damping:
    about half the products on MovieLens-100K for about 0.6 of a product per step to
    apply them, so it is the default (``benchmarks/influence_update.py``); ``none``:
    plain CG."""
    preconditioner_precision: Literal["auto", "bfloat16", "float32"] = "auto"
    """How the preconditioner's inverted blocks are stored. ``bfloat16`` halves the
    prepared state (ML-100K: 43 MB of float32 blocks) and, where the device multiplies
    bfloat16 natively (CUDA, AVX-512 CPUs), the memory-bound apply; it
    moves how fast CG converges, never what it converges to (the stopping test is on the
    float32 residual, a block that rounding would leave indefinite keeps only its
    diagonal, and CG drops a preconditioner that is not positive on a residual). Its
    rounding (about 4e-3, not linear in r) costs CG products below a relative residual of
    about 1e-4 (tests' MF fixture at tol 1e-12: 57 products, float32 blocks 41, none 44),
    so ``auto`` is ``bfloat16`` for ``tol`` >= 1e-4 on a device with native bfloat16
    products (:func:`~recunlearn.influence.blocks.bfloat16_blocks_are_fast`), else
    ``float32``: on an AVX2 CPU a bfloat16 apply took 3.5 times a float32 one."""
    elimination: Literal["auto", "none"] = "auto"
    """``auto``: for a backbone without propagation (MF) with closed-form products, CG
    runs on the Schur complement of one side (users or items, the fewer) of the
    bipartite restricted Hessian, preconditioned by the other side's blocks, and
    recovers the eliminated side exactly (:mod:`recunlearn.influence.elimination`):
    the same solution in about half the iterations, for an exact inverse of the
    eliminated side's blocks prepared in the curvature's dtype. Graph backbones, the
    other solvers and autograd products solve the whole system. ``none``: always the
    whole system."""
    products: Literal["closed_form", "autograd"] = "closed_form"
    """``closed_form``: the closed-form products of dot-product backbones (MF, LightGCN;
    others fall back to autograd); ``autograd``: ``torch.func`` products always."""

    def solver_settings(self, damping: float) -> SolverSettings:
        """The solver's settings with the damping in force (fixed or Lanczos)."""
        return SolverSettings(
            name=self.solver,
            damping=damping,
            tol=self.tol,
            max_iter=self.max_iter,
            adam_lr=self.adam_lr,
            monitor_every=self.validate_every,
        )

    def preconditioner_dtype(self, bfloat16_is_fast: bool) -> str:
        """The torch dtype name the preconditioner's blocks are stored in, on a device
        that multiplies bfloat16 natively (``bfloat16_is_fast``) or not."""
        if self.preconditioner_precision != "auto":
            return self.preconditioner_precision
        return "bfloat16" if bfloat16_is_fast and self.tol >= BFLOAT16_TOL else "float32"

    def preconditioned(self, closed_form: bool) -> bool:
        """Whether the solve uses the block-Jacobi preconditioner: asked for, with the
        closed-form products that give the blocks, by a solver that takes one."""
        from recunlearn.influence.solvers import SOLVERS  # at run time: imports torch

        wanted = self.preconditioner == "block_jacobi"
        return wanted and closed_form and SOLVERS[self.solver].takes_preconditioner

    def eliminates(self, closed_form: bool, propagates: bool) -> bool:
        """Whether CG runs on a Schur complement (``elimination``): asked for, by CG,
        with closed-form products of a backbone without propagation."""
        wanted = self.elimination == "auto" and self.solver == "cg"
        return wanted and closed_form and not propagates

    @model_validator(mode="after")
    def _selection_needs_adam(self) -> SolverConfig:
        if self.select_on_validation and self.solver not in ITERATE_SELECTING_SOLVERS:
            raise ValueError(
                f"select_on_validation needs solver 'adam' (got solver {self.solver!r})"
            )
        return self


class IFRUConfig(SolverConfig):
    spillover: bool = True
    """Include the spillover influence I_s (ablation: false)."""
    neighbourhood_rows: Literal["positive", "all"] = "positive"
    """Algorithm 1's neighbourhoods N_v: ``positive``, v's positive rows in D (the
    paper's N_u, "the items positively interacted by u"); ``all``, every labelled row of
    v (the reading before issue 24: negative rows enlarge the pruned set and the
    Hessian rows every product touches)."""
    pruning_ratios: dict[str, list[float]] = Field(
        default_factory=lambda: {"default": [1.0, 1.0], "lightgcn": [1.0, 0.6]}
    )
    """(a_0, ..., a_K) per backbone name; ``default`` for the rest (paper: MF (1, 1), LightGCN (1, 0.6))."""

    @field_validator("pruning_ratios")
    @classmethod
    def _backbone_names(cls, value: dict[str, list[float]]) -> dict[str, list[float]]:
        return backbone_keyed(value)

    def ratios_for(self, backbone: str) -> list[float]:
        return self.pruning_ratios.get(backbone, self.pruning_ratios.get("default", [1.0, 1.0]))


class SCIFConfig(SolverConfig):
    """SCIF has only the solver's settings."""
