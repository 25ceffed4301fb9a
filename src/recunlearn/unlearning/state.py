"""Prepared states: what a method learned on D, typed per family, with a catalog form.

Each family's state is a frozen dataclass (:class:`~recunlearn.unlearning.exact.
sharded_state.ShardedState` for SISA, RecEraser and C-SISA; :class:`~recunlearn.
unlearning.exact.seqtrain.SeqTrainState` for LASER; :class:`~recunlearn.unlearning.
influence.damping.DampingState` for IFRU and SCIF) that says how it splits into JSON
values (``config``) and CPU tensors (``tensors``: nested dicts and lists of tensors) and
how it is rebuilt from them (``restore``). :meth:`PreparedState.payload` stores both as
the catalog's ``{"config", "state_dict"}`` payload, which loads with
``weights_only=True``; the config's ``kind`` says which state to rebuild.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

import torch


def cpu_copies(tree: Any) -> Any:
    """``tree`` (dicts, lists, tuples of tensors) with every tensor a detached CPU copy."""
    if isinstance(tree, torch.Tensor):
        return tree.detach().cpu().clone()
    if isinstance(tree, dict):
        return {key: cpu_copies(value) for key, value in tree.items()}
    if isinstance(tree, list | tuple):
        return [cpu_copies(value) for value in tree]
    return tree


def flat_tensors(tree: Any, name: str = "") -> dict[str, torch.Tensor]:
    """The tensors of ``tree`` by their path (``members.0.user_embedding``): a view
    for comparing two states, never a storage format."""
    if isinstance(tree, torch.Tensor):
        return {name: tree}
    items = tree.items() if isinstance(tree, dict) else enumerate(tree)
    flat: dict[str, torch.Tensor] = {}
    for key, value in items:
        flat |= flat_tensors(value, f"{name}.{key}" if name else str(key))
    return flat


@dataclass(frozen=True, kw_only=True)
class PreparedState(ABC):
    """What a method learned on D (its subclasses: one per family)."""

    seconds: float
    """Wall time of the preparation; the states a stream carries forward keep it, since
    it is paid once."""

    kind: ClassVar[str]
    """The name the catalog payload records, to rebuild the right state."""
    kinds: ClassVar[dict[str, type[PreparedState]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "kind" in cls.__dict__:
            PreparedState.kinds[cls.kind] = cls

    @abstractmethod
    def config(self) -> dict[str, Any]:
        """The JSON-able fields."""

    @abstractmethod
    def tensors(self) -> dict[str, Any]:
        """The tensors, as nested dicts and lists."""

    @classmethod
    @abstractmethod
    def restore(
        cls, config: dict[str, Any], tensors: dict[str, Any], seconds: float
    ) -> PreparedState:
        """The state whose ``config()`` and ``tensors()`` these are."""

    def named_tensors(self) -> dict[str, torch.Tensor]:
        """Every tensor by its path in ``tensors()``."""
        return flat_tensors(self.tensors())

    def payload(self) -> dict[str, Any]:
        """The catalog form (tensors copied to the CPU)."""
        config = {"kind": self.kind, "seconds": self.seconds, **self.config()}
        return {"config": config, "state_dict": cpu_copies(self.tensors())}

    @staticmethod
    def from_payload(payload: dict[str, Any]) -> PreparedState:
        """Inverse of :meth:`payload`, for every registered kind."""
        config = dict(payload["config"])
        kind = config.pop("kind", None)
        if kind not in PreparedState.kinds:
            raise ValueError(
                f"prepared state: unknown kind {kind!r} (known: "
                f"{', '.join(sorted(PreparedState.kinds))}); prepare the method again"
            )
        seconds = config.pop("seconds")
        return PreparedState.kinds[kind].restore(config, dict(payload["state_dict"]), seconds)


def state_payload(state: PreparedState) -> dict[str, Any]:
    """The catalog form of a prepared state (see :meth:`PreparedState.payload`)."""
    return state.payload()


def state_from_payload(payload: dict[str, Any]) -> PreparedState:
    """Inverse of :func:`state_payload`."""
    return PreparedState.from_payload(payload)
