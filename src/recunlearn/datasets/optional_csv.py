"""A versioned CSV dataset that loads an empty table while nothing has been saved."""

from __future__ import annotations

import pandas as pd
from kedro.io import DatasetError
from kedro_datasets.pandas import CSVDataset

from recunlearn.errors import DataValidationError, brief


class OptionalCSVDataset(CSVDataset):
    """Like ``pandas.CSVDataset``; before the first save, ``load()`` returns an empty table.

    The report reads benchmark tables (``benchmarks/seeds.py``'s seed spread) this way:
    it uses them when a benchmark has written them and runs without them otherwise. A
    saved file that does not parse is one :class:`~recunlearn.errors.DataValidationError`
    line naming it.
    """

    def load(self) -> pd.DataFrame:
        if not self._exists():
            return pd.DataFrame()
        try:
            return super().load()
        except DatasetError as error:  # Kedro's wrapper around pandas' parser error
            raise DataValidationError(
                f"{self._get_load_path()}: not a readable CSV table "
                f"({brief(error.__cause__ or error)})"
            ) from error
