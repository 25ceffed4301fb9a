"""Kedro's run options checked against what exists: one line instead of a traceback.

``--namespaces`` must name a namespace some node of the run's pipelines carries, and
``--load-versions`` a version that was saved; each refusal is a
:class:`~recunlearn.errors.ParameterError` naming the option, the value and what
would be valid. Pure functions: the caller lists the namespaces and the versions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from recunlearn.errors import ParameterError


def namespaces_of(node_namespaces: Iterable[str | None]) -> list[str]:
    """Every namespace ``--namespaces`` accepts: each node's and its dotted prefixes."""
    found = set()
    for namespace in filter(None, node_namespaces):
        parts = namespace.split(".")
        found.update(".".join(parts[: i + 1]) for i in range(len(parts)))
    return sorted(found)


def check_namespaces(requested: Iterable[str], node_namespaces: Iterable[str | None]) -> None:
    """Refuse a ``--namespaces`` value no node of the run's pipelines carries.

    Raises:
        ParameterError: naming the unknown values and listing the valid ones.
    """
    valid = namespaces_of(node_namespaces)
    unknown = [name for name in requested if name not in valid]
    if unknown:
        raise ParameterError(
            f"--namespaces: unknown namespace(s) {', '.join(unknown)}; "
            f"valid namespaces: {', '.join(valid) or 'none'}"
        )


SavedVersions = Callable[[str], tuple[str, list[str]] | None]
"""A dataset's name -> (its path, its saved versions, oldest first), or ``None`` when
the catalog has no versioned dataset of that name."""
SHOWN_VERSIONS = 3


def check_load_versions(requested: Mapping[str, str], saved: SavedVersions) -> None:
    """Refuse a ``--load-versions`` entry whose version was never saved.

    Raises:
        ParameterError: naming the dataset, its path and its latest versions.
    """
    for name, version in (requested or {}).items():
        found = saved(name)
        if found is None:
            raise ParameterError(f"--load-versions {name}:{version}: {name} is not versioned")
        path, versions = found
        if version not in versions:
            latest = ", ".join(reversed(versions[-SHOWN_VERSIONS:])) or "none saved yet"
            raise ParameterError(
                f"--load-versions {name}:{version}: dataset {name} has no such version "
                f"under {path}; latest versions: {latest}"
            )
