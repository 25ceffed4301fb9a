"""Tuning node: run (or continue) one backbone's Optuna study and report it.

Optuna and the training code are imported inside the node, so that building the
pipelines imports neither.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import plotly.graph_objects as go

from recunlearn.models.config import TrainConfig
from recunlearn.runtime import RuntimeConfig, apply_runtime
from recunlearn.tuning.config import TuningConfig
from recunlearn.tuning.search_space import validate_space

if TYPE_CHECKING:
    import optuna

logger = logging.getLogger(__name__)


def _fingerprint(*frames: pd.DataFrame) -> str:
    return "-".join(str(int(pd.util.hash_pandas_object(f, index=False).sum())) for f in frames)


def _importance_figure(study: optuna.Study) -> go.Figure:
    import optuna

    try:
        with warnings.catch_warnings():  # a few trials, equal importances: said in the plot
            warnings.filterwarnings("ignore", "Target and region quantiles", UserWarning)
            return optuna.visualization.plot_param_importances(study)
    except (ValueError, RuntimeError) as error:  # too few complete trials, or one value only
        return go.Figure(layout={"title": f"Parameter importances unavailable: {error}"})


def trials_table(study: optuna.Study) -> pd.DataFrame:
    """One row per trial: number, state, value, parameters, epochs."""
    frame = study.trials_dataframe(attrs=("number", "state", "value", "params", "user_attrs"))
    return frame.rename(columns=lambda c: c.replace("params_", "").replace("user_attrs_", ""))


def sqlite_folder(url: str) -> Path:
    """The folder of a SQLite storage file (``.`` for other URLs), which SQLite needs to
    exist: it creates only the file."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return Path(url.removeprefix("sqlite:///")).parent
    return Path(".")


def tune_backbone(
    train: pd.DataFrame,
    valid: pd.DataFrame,
    interactions: pd.DataFrame,
    tuning: TuningConfig,
    train_config: TrainConfig,
    seed: int,
    dataset: str,
    runtime: RuntimeConfig,
    *,
    backbone: str,
) -> tuple[dict[str, Any], pd.DataFrame, go.Figure, go.Figure]:
    """Best parameters, the trials table and Optuna's plots for ``backbone``."""
    import optuna

    from recunlearn.tuning.objective import make_objective
    from recunlearn.tuning.study import open_storage, open_study, run_missing_trials, study_name

    optuna.logging.disable_default_handler()  # its trial lines go to the log file instead
    optuna.logging.enable_propagation()
    cfg = tuning
    space = validate_space(cfg.spaces.get(backbone, {}), backbone)
    base = train_config.model_copy(update={"max_epochs": cfg.max_epochs})
    device = apply_runtime(runtime)
    key = {
        "space": {k: v.model_dump() for k, v in space.items()},
        "base": base.model_dump(),
        "seed": seed,
        "data": _fingerprint(train, valid),
        "reach_factor": cfg.reach_factor,
    }
    name = study_name(f"{dataset}-{backbone}", key)
    sqlite_folder(cfg.storage).mkdir(parents=True, exist_ok=True)
    storage = open_storage(cfg.storage, cfg.heartbeat_seconds)
    study = open_study(storage, name, seed, cfg.pruner_warmup, cfg.reach_factor)
    n_users, n_items = int(interactions["user"].max()) + 1, int(interactions["item"].max()) + 1
    objective = make_objective(backbone, train, valid, n_users, n_items, base, space, seed, device)
    ran = run_missing_trials(study, objective, cfg.trials_for(backbone), cfg.timeout)
    completed = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    best = {"study": name, "ran_here": ran, "params": {}, "value": None}
    if completed:
        best |= {"params": study.best_params, "value": study.best_value}
    logger.info("%s tuning: study %s, %d new trials, best %s", backbone, name, ran, best)
    history = optuna.visualization.plot_optimization_history(study)
    return best, trials_table(study), history, _importance_figure(study)
