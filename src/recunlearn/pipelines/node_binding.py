"""Bind the per-namespace constants (backbone, method) and parameter types into a node."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial, update_wrapper
from typing import Any


def bound(
    func: Callable[..., Any], *, hints: Mapping[str, type] | None = None, **fixed: Any
) -> Callable[..., Any]:
    """``func`` with keyword-only arguments fixed, keeping its name and docstring.

    Kedro and kedro-viz show the original function name instead of ``<partial>``.
    ``hints`` narrow the type of a ``params:`` argument for this node instance (e.g.
    ``train_config`` to ``BACKBONE_SPECS[backbone].config_type``): Kedro builds each
    ``params:`` input from the node's type hints, so the node receives that type.
    """
    node_function = update_wrapper(partial(func, **fixed), func)
    node_function.__annotations__ = {**func.__annotations__, **(hints or {})}
    return node_function
