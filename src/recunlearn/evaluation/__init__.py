"""Metrics (framework-free): AUC variants, ranking metrics, RBO, completeness."""
