"""Progress bars for the long steps (epochs, shards and groups, solver iterations).

A bar is drawn on stderr only where somebody watches: a terminal, outside CI (the ``CI``
environment variable unset) and unless ``RECUNLEARN_PROGRESS=0``. Elsewhere the bars are
disabled and cost nothing, so logs and CI output stay clean.
"""

from __future__ import annotations

import os
import sys

from tqdm.auto import tqdm


def progress_enabled() -> bool:
    """Whether bars are drawn: a terminal on stderr, not CI, not switched off."""
    if os.environ.get("CI") or os.environ.get("RECUNLEARN_PROGRESS", "1") == "0":
        return False
    return sys.stderr.isatty()


def progress_bar(total: int, description: str) -> tqdm:
    """A bar of ``total`` steps named ``description`` (disabled where nobody watches)."""
    return tqdm(
        total=total,
        desc=description,
        disable=not progress_enabled(),
        leave=False,
        dynamic_ncols=True,
        file=sys.stderr,
    )
