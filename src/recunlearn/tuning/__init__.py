"""Optuna tuning of backbone hyperparameters (framework-free: no Kedro, no files)."""
