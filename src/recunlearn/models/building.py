"""Building a backbone by name and rebuilding a saved model from (config, state_dict)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import torch

from recunlearn.models import BACKBONES
from recunlearn.models.attention import AttentionEnsemble
from recunlearn.models.averaging import AveragingEnsemble
from recunlearn.models.base import Recommender
from recunlearn.models.config import TrainConfig
from recunlearn.models.grouped import GroupedModel
from recunlearn.models.scoring import ScoringModel


def build_backbone(
    name: str,
    n_users: int,
    n_items: int,
    config: TrainConfig,
    train_rows: pd.DataFrame,
    generator: torch.Generator | None = None,
) -> Recommender:
    """A freshly initialised backbone ``name`` with the architecture in ``config`` (of
    the backbone's own config type, ``BACKBONE_SPECS[name].config_type``).

    Each backbone builds itself (:meth:`Recommender.build`): graph backbones take their
    graph from the positive rows of ``train_rows``; every random draw of the
    initialisation comes from ``generator``.
    """
    if name not in BACKBONES:
        raise KeyError(f"unknown backbone {name!r}; choose one of {sorted(BACKBONES)}")
    return BACKBONES[name].build(n_users, n_items, config, train_rows, generator)


def model_from_state(config: dict[str, Any], state: dict[str, torch.Tensor]) -> ScoringModel:
    """Rebuild a backbone or a model of sub-models from its saved config and ``state_dict``."""
    if config["backbone"] == GroupedModel.name:
        return GroupedModel(_members_from_state(config, state), state["user_group"])
    if config["backbone"] == AveragingEnsemble.name:
        return AveragingEnsemble(_members_from_state(config, state))
    if config["backbone"] == AttentionEnsemble.name:
        return _attention_from_state(config, state)
    settings = {k: v for k, v in config.items() if k != "backbone"}
    return BACKBONES[config["backbone"]].from_saved(settings, state)


def _members_from_state(
    config: dict[str, Any], state: dict[str, torch.Tensor]
) -> list[ScoringModel]:
    members = []
    for index, member_config in enumerate(config["members"]):
        prefix = f"members.{index}."
        member_state = {k[len(prefix) :]: v for k, v in state.items() if k.startswith(prefix)}
        members.append(model_from_state(member_config, member_state))
    return members


def _attention_from_state(
    config: dict[str, Any], state: dict[str, torch.Tensor]
) -> AttentionEnsemble:
    model = AttentionEnsemble(
        state["user_members"],
        state["item_members"],
        config["attention_dim"],
        config["n_layers"],
        state["graph_users"],
        state["graph_items"],
    )
    model.load_state_dict(state)
    return model


def model_payload(model: ScoringModel) -> dict[str, Any]:
    """``{"config", "state_dict"}`` of a model, tensors copied to the CPU."""
    state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    return {"config": model.config(), "state_dict": state}


def model_from_payload(payload: dict[str, Any]) -> ScoringModel:
    """Inverse of :func:`model_payload`."""
    return model_from_state(payload["config"], payload["state_dict"])
