"""The (backbone, method) grid a run holds: which backbones and methods it instantiates.

Each configuration environment chooses its grid in its parameters (``grid:``); the
default grid is ``conf/base/parameters.yml``'s and lives nowhere else (no defaults
here). The pipelines are built from it (``recunlearn.pipeline_registry``).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, field_validator

from recunlearn.models import BACKBONES
from recunlearn.unlearning import METHOD_SPECS


class GridConfig(BaseModel):
    """The backbones and unlearning methods the pipelines instantiate."""

    model_config = ConfigDict(extra="forbid")

    backbones: list[str]
    """Names in ``recunlearn.models.BACKBONES``."""
    methods: list[str]
    """Names in ``recunlearn.unlearning.METHODS``; ``retrain`` is always needed."""

    @field_validator("backbones")
    @classmethod
    def _known_backbones(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(BACKBONES))
        if unknown or not value:
            raise ValueError(f"grid.backbones: unknown {unknown}; choose from {sorted(BACKBONES)}")
        return value

    @field_validator("methods")
    @classmethod
    def _known_methods(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(METHOD_SPECS))
        if unknown:
            raise ValueError(f"grid.methods: unknown {unknown}; choose from {sorted(METHOD_SPECS)}")
        if "retrain" not in value:
            raise ValueError("grid.methods must include 'retrain' (every metric compares with it)")
        return value

    def unusable_methods(self) -> list[str]:
        """One line per method that refuses every backbone of the grid.

        A cell a method refuses (IFRU on ENMF) is left out of the DAG; a method with no
        cell left is a configuration error, reported before the run.
        """
        problems = []
        for method in self.methods:
            supported = METHOD_SPECS[method].supported_backbones
            if supported is not None and not supported & set(self.backbones):
                problems.append(
                    f"grid.methods: {method!r} supports none of the grid's backbones "
                    f"{self.backbones} (supported: {', '.join(sorted(supported))})"
                )
        return problems

    def needs_grouping(self) -> bool:
        """Whether any method of the grid reads the grouping step's groups."""
        return any(METHOD_SPECS[m].needs_groups for m in self.methods)
