"""Influence-function machinery: objectives over selected embeddings, HVPs, solvers,
Algorithm-1 pruning and spillover rows (framework-free)."""

from recunlearn.influence.objective import EmbeddingObjective, Selection
from recunlearn.influence.solvers import SOLVERS, SolveResult, make_solver

__all__ = ["SOLVERS", "EmbeddingObjective", "Selection", "SolveResult", "make_solver"]
