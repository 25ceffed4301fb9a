"""Influence-function machinery: objectives over selected embeddings, HVPs, solvers,
Algorithm-1 pruning and spillover rows (framework-free).

Its names are imported on first use (``recunlearn.lazy_imports``), so that the
influence methods' settings (``solver_settings``) load without torch.
"""

from recunlearn.lazy_imports import lazy_exports

__getattr__ = lazy_exports(
    __name__,
    {
        "EmbeddingObjective": "objective",
        "Selection": "objective",
        "SOLVERS": "solvers",
        "SolveResult": "solvers",
        "make_solver": "solvers",
    },
)

__all__ = ["SOLVERS", "EmbeddingObjective", "Selection", "SolveResult", "make_solver"]
