"""Checks that need the data or the machine, run before a pipeline writes anything.

The parameter tree is checked on its own (:mod:`recunlearn.parameter_tree`); what it
cannot know depends on the raw data at hand and on the machine: whether the k-core
filter and the split leave every split a row, whether ``audits.user_pool`` leaves D a user, whether ``poisoning.n_users`` users
qualify (and the K requests of ``stream.request``), whether ``grouping.n_groups`` and the shards of the exact methods fit the
users and rows they divide, whether ``runtime.device=cuda`` has a GPU, and whether
the run options name things that exist (:mod:`recunlearn.run_options`), and whether
the saved files the run reads (models, states) load and fit their configs.

Every data check runs the core's own functions on the tables the run would see, so
the refusal is the one the node would raise, only earlier: a table the run writes
(``int_interactions``, ``prm_train``, ``mi_train``) is computed here exactly as its
node computes it, in memory; a table the run only reads is loaded. Nothing is written.
Each refusal is one :class:`~recunlearn.errors.RecUnlearnError` line naming the full
parameter path (or the option and the dataset).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pandas as pd

from recunlearn.audits.config import AuditsConfig
from recunlearn.data.audit_pool import hold_out_users
from recunlearn.data.cleaning import clean_interactions
from recunlearn.data.metadata import genre_lookup, item_genres
from recunlearn.data.raw_formats import dataset_spec
from recunlearn.data.request_stream import draw_request_stream
from recunlearn.data.requests import mark_request
from recunlearn.data.splitting import split_interactions
from recunlearn.errors import DataValidationError, brief
from recunlearn.grouping import validate_grouping
from recunlearn.models import model_from_payload
from recunlearn.parameters import IngestionConfig, PoisoningConfig
from recunlearn.runtime import RuntimeConfig, resolve_device
from recunlearn.seeding import numpy_rng
from recunlearn.unlearning import METHODS
from recunlearn.unlearning.stream_config import StreamConfig

Loader = Callable[[str], Any]
"""A catalog dataset's content by name (the version the run would load), or ``None``
when nothing has been saved under that name."""

GROUPING_OUTPUTS = frozenset({"grp_embeddings", "grp_user_groups"})
"""Outputs of the grouping nodes that divide the users into ``grouping.n_groups``."""
STATE_SUFFIX = ".state"
WRITTEN_TABLES = {
    "int_interactions": "interactions",
    "prm_train": "train",
    "mi_train": "d",
    "stream_requests": "stream",
}
"""The tables of :class:`RunTables` by catalog name, in the order the run writes them."""


@dataclass(frozen=True)
class RunPlan:
    """What a run will touch: the datasets its nodes write and everything they read."""

    outputs: frozenset[str]
    inputs: frozenset[str]
    """Every input of every node, ``params:...`` included."""
    saved_inputs: tuple[str, ...] = ()
    """The run's inputs held in the project's own file datasets (models, methods' states,
    optional tables): each is loaded, hence checked, before the first node runs."""

    def prepared_methods(self) -> list[str]:
        """The unlearning methods whose state on D (``{backbone}.{method}.state``) the
        run learns, each once."""
        states = [o.removesuffix(STATE_SUFFIX) for o in self.outputs if o.endswith(STATE_SUFFIX)]
        return sorted({state.rsplit(".", 1)[-1] for state in states} & set(METHODS))


class RunTables:
    """The tables up to D as the run will see them: computed when the run writes them,
    loaded when it reads them (``None`` when neither)."""

    def __init__(self, params: Mapping[str, Any], plan: RunPlan, load: Loader) -> None:
        self._params, self._plan, self._load = params, plan, load
        self._seed = int(params.get("seed", 0))

    def _writes(self, name: str) -> bool:
        return name in self._plan.outputs

    @cached_property
    def _cleaned(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(interactions, id map) as the ingestion node computes them."""
        cfg = IngestionConfig.model_validate(self._params.get("ingestion") or {})
        spec = dataset_spec(str(self._params["dataset"]))
        raw = self._load("raw_ratings")
        threshold = spec.label_threshold(cfg.label_threshold)
        clean, _, id_map = clean_interactions(raw, threshold, spec.inclusive, cfg.k_core)
        return clean, id_map

    @cached_property
    def interactions(self) -> pd.DataFrame | None:
        """``int_interactions``: raw ratings labelled, de-duplicated and k-core filtered."""
        if not self._writes("int_interactions"):
            return self._load("int_interactions")
        return self._cleaned[0]

    @cached_property
    def genres(self) -> pd.DataFrame | None:
        """``int_item_genres``: the item genres on the internal ids."""
        if not self._writes("int_item_genres"):
            return self._load("int_item_genres")
        return item_genres(self._load("raw_items"), self._cleaned[1])

    @cached_property
    def train(self) -> pd.DataFrame | None:
        """``prm_train``: the training split (every split with a positive share checked),
        without the users of ``audits.user_pool``."""
        if not self._writes("prm_train"):
            return self._load("prm_train")
        if self.interactions is None:
            return None
        split = IngestionConfig.model_validate(self._params.get("ingestion") or {}).split
        rng = numpy_rng(self._seed, "split")
        train = split_interactions(self.interactions, split.strategy, split.fractions, rng).train
        audits = AuditsConfig.model_validate(self._params.get("audits") or {})
        pool_rng = numpy_rng(self._seed, "audits", "user_pool")
        return hold_out_users((train,), audits.user_pool, pool_rng)[0][0]

    @cached_property
    def d(self) -> pd.DataFrame | None:
        """``mi_train``: D, the training split with the deletion request marked."""
        if not self._writes("mi_train"):
            return self._load("mi_train")
        if self.train is None or self.interactions is None:
            return None
        cfg = PoisoningConfig.model_validate(self._params.get("poisoning") or {})
        rng = numpy_rng(self._seed, "poisoning", cfg.kind)
        lookup = None
        if cfg.kind == "category" and self.genres is not None:
            lookup = genre_lookup(self.genres, str(self._params["dataset"]))
        return mark_request(self.train, self.interactions, cfg, rng, lookup)

    @cached_property
    def stream(self) -> pd.DataFrame | None:
        """``stream_requests``: D with the request index of the stream (``stream.*``)."""
        if self.train is None or self.interactions is None:
            return None
        cfg = StreamConfig.model_validate(self._params.get("stream") or {})
        rng = numpy_rng(self._seed, "stream", cfg.request.kind)
        return draw_request_stream(self.train, self.interactions, cfg.request, cfg.n_requests, rng)


def check_device(params: Mapping[str, Any], plan: RunPlan) -> None:
    """``runtime.device=cuda`` needs CUDA, when a node of the run reads ``runtime``."""
    if "params:runtime" in plan.inputs:
        resolve_device(RuntimeConfig.model_validate(params.get("runtime") or {}).device)


def check_data(params: Mapping[str, Any], plan: RunPlan, load: Loader) -> None:
    """Run the core's data-dependent checks for the steps in ``plan``.

    Raises:
        RecUnlearnError: the first check that fails, as the step's node would raise it.
    """
    tables = RunTables(params, plan, load)
    for name, attribute in WRITTEN_TABLES.items():
        if name in plan.outputs:
            getattr(tables, attribute)  # computing the table runs its step's own checks
    if plan.outputs & GROUPING_OUTPUTS and tables.interactions is not None:
        n_users = int(tables.interactions["user"].max()) + 1
        validate_grouping(params.get("grouping") or {}, n_users)
    methods = plan.prepared_methods()
    if methods and tables.d is not None:
        configs = params.get("unlearning") or {}
        for name in methods:
            METHODS[name](configs.get(name)).check_fits(tables.d)


def check_model_fits(payload: Mapping[str, Any], source: str) -> None:
    """A saved model's tensors fit the model its config describes (a method's state,
    whose config has no ``backbone``, is checked for its layout on load only).

    Raises:
        DataValidationError: naming ``source`` and the first mismatch.
    """
    if "backbone" not in payload["config"]:
        return
    try:
        model_from_payload(dict(payload))
    except (RuntimeError, KeyError, TypeError, ValueError, IndexError) as error:
        raise DataValidationError(
            f"{source}: its tensors do not fit the model its config describes ({brief(error)})"
        ) from error


def check_saved_inputs(plan: RunPlan, load: Loader, where: Callable[[str], str]) -> None:
    """Load every one of ``plan.saved_inputs`` (the dataset checks its file) and check
    that each saved model fits its config; ``where(name)`` says where it lies."""
    for name in plan.saved_inputs:
        payload = load(name)
        if isinstance(payload, Mapping) and isinstance(payload.get("config"), Mapping):
            check_model_fits(payload, f"dataset {name}: {where(name)}")


def check_run(
    params: Mapping[str, Any], plan: RunPlan, load: Loader, where: Callable[[str], str]
) -> None:
    """Every check of this module that ``plan`` needs: the machine, the files, the data."""
    check_device(params, plan)
    check_saved_inputs(plan, load, where)
    check_data(params, plan, load)
