"""The backbone interface every unlearning method relies on.

A backbone owns ego embeddings for users and items and turns them into final
embeddings with :meth:`Recommender.propagate` (identity for MF, graph convolution
for LightGCN). Everything a method needs is asked of this interface: the per-row
loss, the parameters, the interaction graph and how far it reaches (``graph_hops``),
so no method ever checks which backbone it is given.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar

import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from recunlearn.models.config import TrainConfig
from recunlearn.models.scoring import EmbeddingScorer, Scorer, ScoringModel


def positive_edges(rows: pd.DataFrame) -> tuple[torch.Tensor, torch.Tensor]:
    """(users, items) of the rows labelled 1: the edges of the interaction graph."""
    positive = rows[rows["label"] == 1]
    users = torch.as_tensor(positive["user"].to_numpy(copy=True), dtype=torch.long)
    items = torch.as_tensor(positive["item"].to_numpy(copy=True), dtype=torch.long)
    return users, items


class Recommender(ScoringModel):
    """A single backbone with user and item ego embeddings (MF, LightGCN, DMF, NeuMF).

    The default head is the dot product of the propagated embeddings; backbones with
    another head (DMF's cosine of towers, NeuMF's MLP) override :meth:`forward` and
    :meth:`scorer`.

    Args:
        n_users: number of users (ids are 0..n_users-1).
        n_items: number of items.
        embedding_dim: size d of every embedding.
        init_std: standard deviation of the zero-mean Gaussian initialisation.
        generator: the torch generator for the initialisation (seeded by the caller).
    """

    label: ClassVar[str]
    """How the report names the backbone (``MF``, ``LightGCN``)."""
    graph_hops: int = 0
    """How many hops a node's prediction reaches along the interaction graph."""
    dot_product_head: ClassVar[bool] = True
    """Whether the logit is the dot product of the :meth:`propagate` outputs (MF,
    LightGCN). False for DMF and NeuMF, whose heads are a cosine of MLP towers and an
    MLP: methods built on that closed form (AltEraser's AH-Newton) must refuse them."""
    training_loss: ClassVar[str] = "per_row_bce"
    """Which loss trains it: ``per_row_bce`` (:meth:`row_losses`) or ``whole_data`` (ENMF)."""

    def __init__(
        self,
        n_users: int,
        n_items: int,
        embedding_dim: int,
        init_std: float,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        self.n_users, self.n_items = int(n_users), int(n_items)
        self.embedding_dim, self.init_std = int(embedding_dim), float(init_std)
        self.user_embedding = nn.Parameter(torch.empty(n_users, embedding_dim))
        self.item_embedding = nn.Parameter(torch.empty(n_items, embedding_dim))
        with torch.no_grad():
            self.user_embedding.normal_(0.0, init_std, generator=generator)
            self.item_embedding.normal_(0.0, init_std, generator=generator)

    config_type: ClassVar[type[TrainConfig]]
    """Its ``training.<name>`` block: the common fields and its own."""
    architecture_fields: ClassVar[tuple[str, ...]] = ()
    """The fields of :attr:`config_type` the constructor takes besides the embeddings'
    (``n_layers`` for LightGCN, ``mlp_layers`` for DMF and NeuMF)."""

    @classmethod
    def build(
        cls,
        n_users: int,
        n_items: int,
        config: TrainConfig,
        train_rows: pd.DataFrame,
        generator: torch.Generator | None = None,
    ) -> Recommender:
        """A freshly initialised model with the architecture in ``config``, read as its
        own :attr:`config_type`; every random draw of the initialisation comes from
        ``generator``.

        Raises:
            pydantic.ValidationError: ``config`` holds a field of another backbone's type.
        """
        config = cls.own_config(config)
        settings = {name: getattr(config, name) for name in cls.architecture_fields}
        return cls(
            n_users,
            n_items,
            config.embedding_dim,
            config.init_std,
            generator=generator,
            **settings,
            **cls.data_inputs(train_rows),
        )

    @classmethod
    def own_config(cls, config: TrainConfig) -> TrainConfig:
        """``config`` as :attr:`config_type` (the common fields of a plain
        :class:`TrainConfig` keep their values, the backbone's own their defaults)."""
        if isinstance(config, cls.config_type):
            return config
        return cls.config_type.model_validate(config.model_dump())

    @classmethod
    def from_saved(cls, settings: dict[str, Any], state: dict[str, torch.Tensor]) -> Recommender:
        """The model :meth:`config` describes (less its ``backbone``), ``state`` loaded.

        The architecture in ``settings`` is validated by :attr:`config_type` first, so a
        payload with an unknown or invalid field is refused by name.
        """
        cls.config_type.model_validate(
            {k: v for k, v in settings.items() if k not in ("n_users", "n_items")}
        )
        model = cls(**settings, **cls.saved_inputs(state))
        model.load_state_dict(state)
        return model

    @classmethod
    def data_inputs(cls, train_rows: pd.DataFrame) -> dict[str, torch.Tensor]:
        """Constructor inputs taken from the training rows (a graph backbone's graph)."""
        return {}

    @classmethod
    def saved_inputs(cls, state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """The same inputs, read back from a saved ``state_dict``."""
        return {}

    # -- what subclasses define ------------------------------------------------
    @abstractmethod
    def propagate(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Final (user, item) embedding matrices."""

    def config(self) -> dict[str, Any]:
        """Constructor arguments, enough to rebuild the module before loading state."""
        return {
            "backbone": self.name,
            "n_users": self.n_users,
            "n_items": self.n_items,
            "embedding_dim": self.embedding_dim,
            "init_std": self.init_std,
        }

    def graph_state(self, users: torch.Tensor, items: torch.Tensor) -> dict[str, torch.Tensor]:
        """Buffers that make this model predict over the graph with edges (users, items).

        Empty for backbones without a graph. Passing them to
        ``torch.func.functional_call`` evaluates the same parameters on another graph
        (e.g. D - D_r), which is how influence methods compute spillover.
        """
        return {}

    def linear_propagation(
        self, graph: dict[str, torch.Tensor] | None = None
    ) -> Callable[[torch.Tensor], torch.Tensor] | None:
        """The map P from stacked ego embeddings ``[users; items]`` to final ones, if linear.

        Returned only when the logit of (u, i) is the dot product of the final
        embeddings and those are P E for a fixed *symmetric* linear map P of the
        stacked ego embeddings E (MF: the identity; LightGCN: the mean of the powers
        of the normalised adjacency). Influence methods then use closed-form Hessian
        products. ``None`` (the default) for any other head: they differentiate the
        forward pass instead. ``graph``: ``graph_state`` buffers of another graph.
        """
        return None

    def set_graph(self, users: torch.Tensor, items: torch.Tensor) -> None:
        """Make the model predict over the graph with edges (users, items), in place."""
        for name, value in self.graph_state(users, items).items():
            setattr(self, name, value.to(self.user_embedding.device))

    # -- shared behaviour ------------------------------------------------------
    def forward(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        """Logits of (user, item) pairs."""
        return dot_product_logits(*self.propagate(), users, items)

    def all_scores(self, users: torch.Tensor) -> torch.Tensor:
        """Logits of ``users`` against every item, shape (len(users), n_items)."""
        return self.scorer().users(users)

    def scorer(self) -> Scorer:
        """Dot products of the propagated embeddings, propagated once."""
        return EmbeddingScorer(*self.propagate())

    def row_losses(
        self, users: torch.Tensor, items: torch.Tensor, labels: torch.Tensor, l2: float
    ) -> torch.Tensor:
        """Per-row training loss: BCE on the logit plus ``l2 * (|p_u|^2 + |q_i|^2)``.

        The L2 term is on the ego embeddings of the row's user and item, so the mean
        of ``row_losses`` over a set of rows is that set's full training objective
        (the quantity whose Hessian influence methods invert).
        """
        logits = self.forward(users, items)
        return row_loss_terms(
            logits, labels, self.user_embedding, self.item_embedding, users, items, l2
        )


def dot_product_logits(
    user_final: torch.Tensor, item_final: torch.Tensor, users: torch.Tensor, items: torch.Tensor
) -> torch.Tensor:
    """Logits of (user, item) pairs as dot products of final embeddings (MF, LightGCN head)."""
    return (F.embedding(users, user_final) * F.embedding(items, item_final)).sum(dim=-1)


def row_loss_terms(
    logits: torch.Tensor,
    labels: torch.Tensor,
    user_embedding: torch.Tensor,
    item_embedding: torch.Tensor,
    users: torch.Tensor,
    items: torch.Tensor,
    l2: float,
) -> torch.Tensor:
    """BCE of each row's logit plus ``l2`` times its user's and item's squared ego norms."""
    loss = F.binary_cross_entropy_with_logits(logits, labels.to(logits.dtype), reduction="none")
    if l2 > 0:
        ego = F.embedding(users, user_embedding).pow(2).sum(-1)
        ego = ego + F.embedding(items, item_embedding).pow(2).sum(-1)
        loss = loss + l2 * ego
    return loss
