"""Raw formats, cleaning, splitting and deletion requests (framework-free).

The names of the split strategies live here, apart from the splitting code, so that
the parameter models name them without importing pandas.
"""

from typing import Literal

SplitStrategy = Literal["random", "per_user"]
"""``random``: by interaction (IFRU); ``per_user``: within each user (AltEraser)."""
