"""A versioned JSON dataset that loads ``{}`` while nothing has been saved."""

from __future__ import annotations

from typing import Any

from kedro.io import DatasetError
from kedro_datasets.json import JSONDataset

from recunlearn.errors import DataValidationError, brief


class OptionalJSONDataset(JSONDataset):
    """Like ``json.JSONDataset``; before the first save, ``load()`` returns ``{}``.

    Used for tuned parameters, which a training run may use when they exist but must
    not require (``kedro run --pipelines=training`` works before any tuning run). A saved
    file that is not a JSON object is one :class:`~recunlearn.errors.DataValidationError`
    line naming it.
    """

    def load(self) -> Any:
        if not self._exists():
            return {}
        source = self._get_load_path()
        try:
            data = super().load()
        except DatasetError as error:  # Kedro's wrapper around json's decoding error
            raise DataValidationError(
                f"{source}: not valid JSON ({brief(error.__cause__ or error)})"
            ) from error
        if not isinstance(data, dict):
            raise DataValidationError(
                f"{source}: expected a JSON object, found {type(data).__name__}"
            )
        return data
