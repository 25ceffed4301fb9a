"""A versioned JSON dataset that loads ``{}`` while nothing has been saved."""

from __future__ import annotations

from typing import Any

from kedro_datasets.json import JSONDataset


class OptionalJSONDataset(JSONDataset):
    """Like ``json.JSONDataset``; before the first save, ``load()`` returns ``{}``.

    Used for tuned parameters, which a training run may use when they exist but must
    not require (``kedro run --pipelines=training`` works before any tuning run).
    """

    def load(self) -> Any:
        if not self._exists():
            return {}
        return super().load()
