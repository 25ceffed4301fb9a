"""Bind the per-namespace constant (backbone, method) into a node function."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial, update_wrapper
from typing import Any


def bound(func: Callable[..., Any], **fixed: Any) -> Callable[..., Any]:
    """``func`` with keyword-only arguments fixed, keeping its name and docstring.

    Kedro and kedro-viz show the original function name instead of ``<partial>``.
    """
    return update_wrapper(partial(func, **fixed), func)
