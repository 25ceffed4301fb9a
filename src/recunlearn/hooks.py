"""Kedro hooks: the whole parameter tree is checked before anything is built or run."""

from __future__ import annotations

from kedro.config import MissingConfigException
from kedro.framework.context import KedroContext
from kedro.framework.hooks import hook_impl

from recunlearn.parameter_tree import check_parameter_tree


class ParameterTreeHook:
    """Refuses bad parameters (``conf/*/parameters*.yml`` merged with ``--params``).

    It runs on ``after_context_created``: before the catalog is built, so before
    Kedro's own checks of the node-hinted parameters and before any node (hence any
    write). Nodes still validate their own block, for in-memory runs without a session.
    """

    @hook_impl
    def after_context_created(self, context: KedroContext) -> None:
        """Raise :class:`~recunlearn.errors.ParameterError` listing every problem."""
        try:
            params = context.config_loader["parameters"]
        except MissingConfigException:
            return
        check_parameter_tree(params)
