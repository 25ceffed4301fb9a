"""The whole parameter tree, checked against the typed configs before any node runs.

Each top-level key of ``conf/*/parameters*.yml`` has one config type:

- a block in :data:`CONFIG_BLOCKS` (``ingestion`` -> :class:`IngestionConfig`, ...);
- a family in :func:`registry_blocks`: ``training.<backbone>`` (that backbone's own
  config type) for every backbone in ``recunlearn.models.BACKBONE_SPECS`` and ``unlearning.<method>`` for every method in
  ``recunlearn.unlearning.METHOD_SPECS``, read from the registries on each call, so a
  backbone or method registered later is checked with no change here;
- a scalar in :func:`scalar_types` (``seed``, ``dataset``).

Any other name, at any depth, is refused with the list of valid names, and every
problem is reported on one line under its full dotted path, e.g.
``unlearning.ifru.solver: Input should be 'cg', 'adam' or 'direct' (got 'foo')``.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError, create_model

from recunlearn.audits.config import AuditsConfig
from recunlearn.data.raw_formats import known_dataset
from recunlearn.errors import ParameterError
from recunlearn.grid import GridConfig
from recunlearn.grouping import GroupingConfig
from recunlearn.models import BACKBONE_SPECS
from recunlearn.parameters import EvaluationConfig, IngestionConfig, PoisoningConfig
from recunlearn.runtime import RuntimeConfig
from recunlearn.tuning.config import TuningConfig
from recunlearn.unlearning import METHOD_SPECS
from recunlearn.unlearning.stream_config import StreamConfig

CONFIG_BLOCKS: dict[str, type[BaseModel]] = {
    "ingestion": IngestionConfig,
    "poisoning": PoisoningConfig,
    "evaluation": EvaluationConfig,
    "runtime": RuntimeConfig,
    "tuning": TuningConfig,
    "grid": GridConfig,
    "grouping": GroupingConfig,
    "stream": StreamConfig,
    "audits": AuditsConfig,
}
"""Top-level key -> its config type. A new block (e.g. ``grouping``) is one entry here."""

Location = Sequence[str | int]


def registry_blocks() -> dict[str, dict[str, type[BaseModel]]]:
    """Blocks keyed by a registry: ``training.<backbone>`` and ``unlearning.<method>``."""
    return {
        "training": {name: spec.config_type for name, spec in BACKBONE_SPECS.items()},
        "unlearning": {name: spec.config_type for name, spec in METHOD_SPECS.items()},
    }


def scalar_types() -> dict[str, Any]:
    """Top-level single values and their types (``dataset``: a registered dataset name
    or a generated one, ``synthetic`` / ``synthetic-<rows>``)."""
    return {"seed": int, "dataset": Annotated[str, AfterValidator(known_dataset)]}


def _strict_model(name: str, fields: Mapping[str, Any]) -> type[BaseModel]:
    """A model refusing unknown keys; an absent field is not checked (default None)."""
    definitions: dict[str, Any] = {key: (annotation, None) for key, annotation in fields.items()}
    return create_model(name, __config__=ConfigDict(extra="forbid"), **definitions)


def tree_model() -> type[BaseModel]:
    """The model of the whole tree, built from the tables and registries as they are now."""
    families = {
        "training": _strict_model("training", registry_blocks()["training"]),
        "unlearning": _strict_model(
            "unlearning",
            {name: config | None for name, config in registry_blocks()["unlearning"].items()},
        ),
    }
    return _strict_model("parameters", {**scalar_types(), **CONFIG_BLOCKS, **families})


def dotted(location: Location) -> str:
    """``('ingestion', 'split', 'fractions', 0)`` -> ``ingestion.split.fractions[0]``."""
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text or "parameters"


def _model_type(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside ``annotation`` (``Model`` or ``Model | None``), if any."""
    for candidate in typing.get_args(annotation) or (annotation,):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def valid_names(root: type[BaseModel], location: Location) -> list[str]:
    """The field names of the model at ``location`` below ``root`` (empty if none)."""
    model: type[BaseModel] | None = root
    for part in location:
        field = model.model_fields.get(part) if isinstance(part, str) else None
        model = _model_type(field.annotation) if field is not None else None
        if model is None:
            return []
    return sorted(model.model_fields)


def describe(root: type[BaseModel], problem: Mapping[str, Any]) -> str:
    """One line for one pydantic error: its full dotted path and what is wrong."""
    location = problem["loc"]
    if problem["type"] == "extra_forbidden":
        parent = location[:-1]
        where = f"under {dotted(parent)}" if parent else "at the top level"
        names = ", ".join(valid_names(root, parent)) or "none"
        return f"{dotted(location)}: unknown name; valid names {where}: {names}"
    message = problem["msg"].removeprefix("Value error, ")
    given = problem.get("input")
    if isinstance(given, str | int | float | bool):
        message += f" (got {given!r})"
    return f"{dotted(location)}: {message}"


def parameter_problems(params: Mapping[str, Any]) -> list[str]:
    """Every problem of ``params`` (the merged parameter tree), one line each."""
    model = tree_model()
    try:
        model.model_validate(dict(params))
    except ValidationError as error:
        return [describe(model, problem) for problem in error.errors(include_url=False)]
    if "grid" not in params:
        return []
    return GridConfig.model_validate(params["grid"]).unusable_methods()


def check_parameter_tree(params: Mapping[str, Any]) -> None:
    """Refuse a parameter tree with any unknown name or invalid value.

    Raises:
        ParameterError: one line per problem, each under its full dotted path.
    """
    problems = parameter_problems(params)
    if len(problems) == 1:
        raise ParameterError(f"invalid parameter {problems[0]}")
    if problems:
        lines = "\n".join(f"  {problem}" for problem in problems)
        raise ParameterError(f"{len(problems)} invalid parameters:\n{lines}")
