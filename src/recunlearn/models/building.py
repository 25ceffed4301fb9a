"""Building a backbone by name and rebuilding a saved model from (config, state_dict)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import torch

from recunlearn.models import BACKBONES, Architecture
from recunlearn.models.attention import AttentionEnsemble
from recunlearn.models.averaging import AveragingEnsemble
from recunlearn.models.base import Recommender
from recunlearn.models.dmf import DMF
from recunlearn.models.enmf import ENMF
from recunlearn.models.grouped import GroupedModel
from recunlearn.models.lightgcn import LightGCN
from recunlearn.models.mf import MatrixFactorization
from recunlearn.models.neumf import NeuMF
from recunlearn.models.scoring import ScoringModel


def positive_edges(rows: pd.DataFrame) -> tuple[torch.Tensor, torch.Tensor]:
    """(users, items) of the rows labelled 1: the edges of the interaction graph."""
    positive = rows[rows["label"] == 1]
    users = torch.as_tensor(positive["user"].to_numpy(copy=True), dtype=torch.long)
    items = torch.as_tensor(positive["item"].to_numpy(copy=True), dtype=torch.long)
    return users, items


def build_backbone(
    name: str,
    n_users: int,
    n_items: int,
    config: Architecture,
    train_rows: pd.DataFrame,
    generator: torch.Generator | None = None,
) -> Recommender:
    """A freshly initialised backbone ``name`` with the architecture in ``config``.

    Graph backbones take their graph from the positive rows of ``train_rows``; every
    random draw of the initialisation comes from ``generator``.
    """
    dim, std = config.embedding_dim, config.init_std
    if name == "mf":
        return MatrixFactorization(n_users, n_items, dim, std, generator)
    if name == "enmf":
        return ENMF(n_users, n_items, dim, std, generator)
    if name == "lightgcn":
        users, items = positive_edges(train_rows)
        return LightGCN(n_users, n_items, dim, std, users, items, config.n_layers, generator)
    if name == "dmf":
        return DMF(n_users, n_items, dim, std, config.mlp_layers, generator)
    if name == "neumf":
        return NeuMF(n_users, n_items, dim, std, config.mlp_layers, generator)
    raise KeyError(f"unknown backbone {name!r}; choose one of {sorted(BACKBONES)}")


def model_from_state(config: dict[str, Any], state: dict[str, torch.Tensor]) -> ScoringModel:
    """Rebuild a backbone or a model of sub-models from its saved config and ``state_dict``."""
    if config["backbone"] == GroupedModel.name:
        return GroupedModel(_members_from_state(config, state), state["user_group"])
    if config["backbone"] == AveragingEnsemble.name:
        return AveragingEnsemble(_members_from_state(config, state))
    if config["backbone"] == AttentionEnsemble.name:
        return _attention_from_state(config, state)
    kwargs = {k: v for k, v in config.items() if k != "backbone"}
    if config["backbone"] == "lightgcn":
        kwargs["graph_users"], kwargs["graph_items"] = state["graph_users"], state["graph_items"]
    model = BACKBONES[config["backbone"]](**kwargs)
    model.load_state_dict(state)
    return model


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
