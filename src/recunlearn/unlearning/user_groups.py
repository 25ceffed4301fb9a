"""User groups from the grouping step, in the order a sequence of stages visits them.

The grouping pipeline writes one label per user and grouping (``rand``, ``bkm``,
``cbkm``) and each group's collaborative cohesion rank (0 = the highest ρ). Exact
methods that work on user groups (LASER's SeqTrain, C-SISA) read them through
:class:`UserGroups`, which also maps a deletion request to the groups it touches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recunlearn.errors import DataValidationError, ParameterError
from recunlearn.grouping.config import Grouping, Order


@dataclass(frozen=True)
class UserGroups:
    """Group label of every user id and the order in which groups are trained.

    Attributes:
        labels: ``labels[u]`` is user u's group, for every user id 0..n_users-1.
        order: group ids, first trained first.
    """

    labels: np.ndarray
    order: tuple[int, ...]

    @property
    def n_groups(self) -> int:
        return len(self.order)

    @classmethod
    def from_tables(
        cls, user_groups: pd.DataFrame, cohesion: pd.DataFrame, grouping: Grouping
    ) -> UserGroups:
        """One grouping of the grouping step's ``grp_user_groups`` / ``grp_cohesion``,
        ordered easy to hard: the group of highest collaborative cohesion first."""
        if grouping not in user_groups.columns:
            raise DataValidationError(f"grp_user_groups has no column {grouping!r}")
        frame = user_groups.sort_values("user")
        if not np.array_equal(frame["user"].to_numpy(), np.arange(len(frame))):
            raise DataValidationError("grp_user_groups must list every user id 0..n_users-1 once")
        ranks = cohesion[cohesion["grouping"] == grouping].sort_values("rank")
        groups = tuple(int(g) for g in ranks["group"])
        return cls(frame[grouping].to_numpy(dtype=np.int64), groups)

    def in_order(self, order: Order) -> UserGroups:
        """These groups visited ``easy_to_hard`` (as read) or ``hard_to_easy`` (anti-SeqTrain)."""
        return self if order == "easy_to_hard" else UserGroups(self.labels, self.order[::-1])

    def rows_of(self, rows: pd.DataFrame, group: int) -> pd.DataFrame:
        """The rows whose user belongs to ``group``, in their original order."""
        return rows[self.labels[rows["user"].to_numpy()] == group]

    def touched_groups(self, forget: pd.DataFrame, parameter: str) -> set[int]:
        """Groups holding a row of the request; unknown users are refused by name."""
        users = forget["user"].to_numpy()
        unknown = users[(users < 0) | (users >= len(self.labels))]
        if unknown.size:
            raise ParameterError(
                f"{parameter}: the request names users unknown to the grouping "
                f"(e.g. {sorted(set(unknown.tolist()))[:5]}; known ids 0..{len(self.labels) - 1})"
            )
        return {int(g) for g in np.unique(self.labels[users])}


def groupings_from_tables(
    user_groups: pd.DataFrame, cohesion: pd.DataFrame
) -> dict[str, UserGroups]:
    """Every grouping of the grouping step's tables, by name, ordered easy to hard."""
    names = [name for name in ("rand", "bkm", "cbkm") if name in user_groups.columns]
    return {name: UserGroups.from_tables(user_groups, cohesion, name) for name in names}
