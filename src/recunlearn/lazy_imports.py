"""Names whose objects are imported on first use, so that loading the project stays light.

Kedro imports the settings, the hooks, the parameter models and the pipelines on every
command (``kedro --version`` included), while torch, matplotlib, gensim, optuna and
scikit-learn take seconds to import. The modules Kedro loads therefore name heavy
objects by import path (``"package.module:attribute"``) and import them when first used:

- :class:`LazyRegistry`: a mapping of names to such objects (``BACKBONES``, ``METHODS``):
  its names are known without importing anything, an object is imported when looked up;
- :func:`lazy_exports`: a package's module ``__getattr__`` (PEP 562), importing the
  submodule that defines an exported name when that name is first asked for.

``tests/test_startup.py`` checks that loading the project imports none of them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol


class Loadable(Protocol):
    """A registry entry that imports its object itself (a method's or a backbone's spec)."""

    def load(self) -> Any: ...


def import_object(path: str) -> Any:
    """The object at ``"package.module:attribute"``."""
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)


class LazyRegistry(Mapping[str, Any]):
    """``name -> object`` where each object is imported when it is first looked up.

    ``entries`` maps each name to an import path, or to an entry that loads its object
    (``load()``); it is read live, so a name added to it later is here too. Each
    object is loaded once per entry and then kept, so a name gives the same object
    every time (a registry variant is one class, not a new one per look-up).
    """

    def __init__(self, entries: Mapping[str, str | Loadable]) -> None:
        self._entries = entries
        self._loaded: dict[str, tuple[str | Loadable, Any]] = {}

    def __getitem__(self, name: str) -> Any:
        entry = self._entries[name]
        cached = self._loaded.get(name)
        if cached is None or cached[0] is not entry:
            loaded = import_object(entry) if isinstance(entry, str) else entry.load()
            cached = self._loaded[name] = (entry, loaded)
        return cached[1]

    def __contains__(self, name: object) -> bool:
        return name in self._entries  # without importing (Mapping's would look it up)

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({sorted(self._entries)})"


def lazy_exports(package: str, exports: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``exports`` maps a name to its submodule."""

    def __getattr__(name: str) -> Any:
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return import_object(f"{package}.{exports[name]}:{name}")

    return __getattr__
