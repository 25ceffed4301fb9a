"""A versioned CSV dataset that loads an empty table while nothing has been saved."""

from __future__ import annotations

import pandas as pd
from kedro_datasets.pandas import CSVDataset


class OptionalCSVDataset(CSVDataset):
    """Like ``pandas.CSVDataset``; before the first save, ``load()`` returns an empty table.

    The report reads benchmark tables (``benchmarks/seeds.py``'s seed spread) this way:
    it uses them when a benchmark has written them and runs without them otherwise.
    """

    def load(self) -> pd.DataFrame:
        if not self._exists():
            return pd.DataFrame()
        return super().load()
