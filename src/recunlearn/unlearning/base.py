"""The one small interface every unlearning method implements, in two phases.

1. ``prepare(context)`` runs when the model is *learned*: it sees D (never the
   request) and returns a :class:`PreparedState` (partitions, sub-models, per-stage
   checkpoints; for ``ifru`` / ``scif`` the Lanczos estimate of the Hessian's spectrum on
   D that sets their damping), saved as a versioned catalog dataset. The other
   approximate methods keep the default, which returns ``None``: their only prepared
   state is the Original model, trained once and shared by every method.
2. ``unlearn(state, request)`` runs when a deletion request arrives: it receives the
   prepared state (typed per family: :mod:`~recunlearn.unlearning.state`) and an
   :class:`UnlearningRequest` (Original, D with its ``forget``
   column, the validation rows, the training hyperparameters) and returns an
   :class:`UnlearningOutcome`: the unlearned model, a flat log and the state the next
   request starts from. Methods with a preparation log ``prepare_seconds`` apart from
   ``seconds`` (the unlearning time alone), so speed-ups compare the work done per
   request.

Requests arrive one after another (:mod:`~recunlearn.unlearning.stream`): request k+1
sees D without the rows of requests 0..k, the state request k returned, and as its
``original`` the model request k returned where the method continues from its own
model (``continues_from_model``: the approximate methods), else Original itself.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar, Literal, TypeVar

import pandas as pd
import torch
from pydantic import BaseModel

from recunlearn.errors import ParameterError
from recunlearn.execution import Executor, InProcessExecutor
from recunlearn.models.base import Recommender
from recunlearn.models.config import TrainConfig
from recunlearn.training.stages import StageRunner
from recunlearn.unlearning.partitions import Partition
from recunlearn.unlearning.state import PreparedState
from recunlearn.unlearning.user_groups import UserGroups


@dataclass(frozen=True)
class UnlearningRequest:
    """Everything a method may use. Methods must not mutate any of it."""

    original: Recommender
    train_rows: pd.DataFrame
    """D, with a boolean ``forget`` column marking D_r."""
    valid_rows: pd.DataFrame
    train_config: TrainConfig
    seed: int
    device: torch.device | str = "cpu"
    executor: Executor = field(default_factory=InProcessExecutor)
    """Where independent units of work (shards, groups) run."""
    stack_shards: bool = False
    """Whether sub-models sharing a schedule train as one stacked model."""

    @property
    def stages(self) -> StageRunner:
        """How the exact methods' sub-model stages run (executor and batching)."""
        return StageRunner(self.executor, self.stack_shards)

    @cached_property
    def forget_rows(self) -> pd.DataFrame:
        """D_r, selected once per request (a method reads it several times; read-only)."""
        return self.train_rows[self.train_rows["forget"]].reset_index(drop=True)

    @cached_property
    def retain_rows(self) -> pd.DataFrame:
        """D - D_r, selected once per request (read-only)."""
        return self.train_rows[~self.train_rows["forget"]].reset_index(drop=True)


@dataclass(frozen=True)
class PrepareContext:
    """What ``prepare`` may use: the training data D, never the deletion request."""

    original: Recommender
    train_rows: pd.DataFrame
    """D without a ``forget`` column (learning happens before any request)."""
    valid_rows: pd.DataFrame
    train_config: TrainConfig
    seed: int
    device: torch.device | str = "cpu"
    groupings: Mapping[str, UserGroups] | None = None
    """The grouping step's groupings by name (``rand``, ``bkm``, ``cbkm``), easy to hard."""
    executor: Executor = field(default_factory=InProcessExecutor)
    """Where independent units of work (shards, groups) run."""
    stack_shards: bool = False
    """Whether sub-models sharing a schedule train as one stacked model."""
    partition: Partition | None = None
    """A partition fixed in advance for sharded methods (their from-scratch oracle
    reuses the prepared one); ``None``: the method partitions D by its own rule."""

    @property
    def stages(self) -> StageRunner:
        """How the exact methods' sub-model stages run (executor and batching)."""
        return StageRunner(self.executor, self.stack_shards)

    @classmethod
    def of(
        cls,
        request: UnlearningRequest,
        groupings: Mapping[str, UserGroups] | None = None,
        partition: Partition | None = None,
    ) -> PrepareContext:
        """The learning-time view of a request: D with the ``forget`` marks dropped."""
        return cls(
            original=request.original,
            train_rows=request.train_rows.drop(columns="forget"),
            valid_rows=request.valid_rows,
            train_config=request.train_config,
            seed=request.seed,
            device=request.device,
            groupings=groupings,
            executor=request.executor,
            stack_shards=request.stack_shards,
            partition=partition,
        )


@dataclass
class UnlearningOutcome:
    """The unlearned model and what it cost."""

    model: Recommender
    log: dict[str, Any] = field(default_factory=dict)
    next_state: PreparedState | None = None
    """What the next request of a stream starts from: an exact method's shards, groups
    or checkpoints with this request's rows gone, an influence method's damping where it
    still holds; ``None`` where the method has nothing to carry (it then prepares
    nothing, or re-estimates what it needs from the next request itself)."""


S = TypeVar("S", bound=PreparedState)
Family = Literal["ground truth", "influence", "fine-tuning", "exact"]


class UnlearningMethod(ABC):
    """Removes the influence of D_r from a trained recommender."""

    name: ClassVar[str]
    label: ClassVar[str]
    """How the report names the method (``IFRU``, ``AltEraser (AH-Newton)``)."""
    config_type: ClassVar[type[BaseModel]]
    defaults: ClassVar[Mapping[str, Any]] = {}
    """Settings that differ from ``config_type``'s defaults (a registry variant's)."""
    contract_settings: ClassVar[Mapping[str, Any]] = {}
    """Small settings under which the contract test (every method, every backbone)
    runs in seconds; the defaults when empty."""
    family: ClassVar[Family]
    needs_groups: ClassVar[bool] = False
    """Whether ``prepare`` needs the grouping step's user groups."""
    supported_backbones: ClassVar[frozenset[str] | None] = None
    """The backbones the method works on (None: every backbone)."""
    continues_from_model: ClassVar[bool] = False
    """Whether the next request of a stream starts from this method's unlearned model
    (its ``original`` is the last outcome's model): the approximate methods, which
    update a model. Exact methods and Retrain keep Original, whose shape (and, for
    RecEraser's partition, embeddings at preparation) is all they read from it."""

    @classmethod
    def supports(cls, backbone: str) -> bool:
        """Whether the method can unlearn from ``backbone``."""
        return cls.supported_backbones is None or backbone in cls.supported_backbones

    @classmethod
    def check_backbone(cls, backbone: str) -> None:
        """Refuse a backbone the method cannot unlearn from, naming the parameter."""
        if not cls.supports(backbone):
            raise ParameterError(
                f"unlearning.{cls.name}: backbone {backbone!r} is not supported "
                f"(supported: {', '.join(sorted(cls.supported_backbones))})"
            )

    def grouping(self, context: PrepareContext) -> UserGroups:
        """The grouping named by this method's ``grouping`` setting."""
        name = self.config.grouping  # type: ignore[attr-defined]
        if context.groupings is None or name not in context.groupings:
            raise ValueError(f"method {self.name!r} needs the grouping step's {name!r} groups")
        return context.groupings[name]

    def __init__(self, config: BaseModel | Mapping[str, Any] | None = None) -> None:
        if isinstance(config, BaseModel):
            config = config.model_dump()
        self.config = self.config_type.model_validate({**self.defaults, **(config or {})})

    @classmethod
    def variant(
        cls, name: str, label: str, *, backbones: Any = "same", **defaults: Any
    ) -> type[UnlearningMethod]:
        """A registry entry that is this method under another name, label and defaults.

        Variants that differ only in their settings (L-Rand, IFRU with Gauss-Newton) are
        data in the registry, not classes: ``Laser.variant("laser_rand", "LASER (L-Rand)",
        grouping="rand")``. The defaults are checked against ``config_type`` here, so a
        misspelt setting fails at import. The name also keys the variant's random
        streams (``self.name``), as it did when variants were written as subclasses.
        ``backbones`` replaces ``supported_backbones`` where the settings widen it
        (AltEraser's HF-Newton and AdamW run on every backbone).
        """
        cls.config_type.model_validate({**cls.defaults, **defaults})
        namespace = {
            "name": name,
            "label": label,
            "defaults": {**cls.defaults, **defaults},
            "__doc__": f"{label}: {cls.__name__} with {defaults}.",
            "__module__": cls.__module__,
        }
        if backbones != "same":
            namespace["supported_backbones"] = backbones
        return type(f"{cls.__name__}[{name}]", (cls,), namespace)

    @classmethod
    def has_preparation(cls) -> bool:
        """Whether the method learns something of its own on D (exact methods)."""
        return cls.prepare is not UnlearningMethod.prepare

    def check_fits(self, train_rows: pd.DataFrame) -> None:
        """Refuse a configuration D (``train_rows``) cannot hold, before any training.

        The preflight check calls it on D before a run writes anything; the default
        has nothing to check.

        Raises:
            ParameterError: naming the method's parameter at fault (its full path).
        """
        return None

    def prepare(self, context: PrepareContext) -> PreparedState | None:
        """Learn on D; the default learns nothing beyond the shared Original model."""
        return None

    def partition_of(self, state: PreparedState) -> Partition | None:
        """The partition ``state`` was prepared with (``None``: the method has none)."""
        return None

    def prepared(self, state: PreparedState | None, kind: type[S]) -> S:
        """``state``, refused by name unless it is a prepared ``kind``."""
        if not isinstance(state, kind):
            raise ValueError(
                f"method {self.name!r} unlearns from its prepared {kind.__name__} "
                f"(got {type(state).__name__})"
            )
        return state

    @abstractmethod
    def unlearn(self, state: PreparedState | None, request: UnlearningRequest) -> UnlearningOutcome:
        """Return a new model, its log and the next request's state (``next_state``);
        ``state`` and ``request`` are left untouched."""
