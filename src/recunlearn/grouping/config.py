"""Typed parameters of LASER's Group module (``conf/*/parameters_grouping.yml``).

Field ranges are pydantic constraints; :func:`validate_grouping` turns any violation,
and the checks that need the data (S <= number of users), into a
:class:`~recunlearn.errors.ParameterError` that names the full parameter path.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from recunlearn.errors import DataValidationError, ParameterError

Grouping = Literal["rand", "bkm", "cbkm"]
"""The groupings the grouping step writes (one label per user each)."""
Order = Literal["easy_to_hard", "hard_to_easy"]
"""The order in which exact methods train the groups (by cohesion rank)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HypergraphConfig(_Strict):
    order: int = Field(4, ge=3, le=7)
    """l of Definition 1: neighbours are joined by a path of fewer than l vertices.

    l = 4 (the paper, after Ji et al. 2020) gives users sharing an item; l = 6 adds
    users two co-rating hops away. l < 3 leaves no item in the neighbourhood, so
    the weight rule has nothing to average; l > 7 is refused (near-dense on real data).
    """


class WalkConfig(_Strict):
    repetitions: int = Field(4, ge=1)
    """Walks started from every user (``rep`` of Algorithm 3; the paper uses 4)."""
    depth: int = Field(8, ge=1)
    """Steps per walk (``dep`` of Algorithm 3; the paper uses 8): depth + 1 users."""


class Word2VecConfig(_Strict):
    vector_size: int = Field(64, ge=1)
    """M, the dimension of the collaborative embedding."""
    window: int = Field(5, ge=1)
    """Largest distance between a user and its context user in a walk."""
    min_count: int = Field(1, ge=1)
    """Users seen fewer times are dropped by gensim; must be <= walks.repetitions."""
    sg: Literal[0, 1] = 1
    """1: skip-gram (as DeepWalk-style embeddings); 0: CBOW."""
    hs: Literal[0, 1] = 0
    """1: hierarchical softmax; 0: negative sampling only."""
    negative: int = Field(5, ge=0)
    """Negative samples per positive pair (0 needs hs = 1)."""
    ns_exponent: float = 0.75
    """Exponent of the frequency distribution negatives are drawn from."""
    sample: float = Field(0.0, ge=0)
    """Down-sampling threshold of frequent users; 0 (off) unlike gensim's 1e-3: with a
    vocabulary of only N users every user is "frequent" and most of the walks would be
    dropped (on a 20-user toy, 1e-3 keeps about 1 token in 6 and the groups degrade)."""
    alpha: float = Field(0.025, gt=0)
    """Initial learning rate."""
    min_alpha: float = Field(1e-4, ge=0)
    """Learning rate reached linearly at the end of training."""
    epochs: int = Field(5, ge=1)
    """Passes over the walks."""


class KMeansConfig(_Strict):
    max_iter: int = Field(100, ge=1)
    """tau of Algorithm 2: most reassignment rounds (it stops earlier once stable)."""


class GroupingConfig(_Strict):
    n_groups: int = Field(8, ge=1)
    """S, the number of disjoint user groups (the paper's default setting is 8)."""
    hypergraph: HypergraphConfig = HypergraphConfig()
    walks: WalkConfig = WalkConfig()
    word2vec: Word2VecConfig = Word2VecConfig()
    kmeans: KMeansConfig = KMeansConfig()


def _parse(config: GroupingConfig | Mapping[str, Any]) -> GroupingConfig:
    """Validate a raw mapping; a pydantic error becomes a ParameterError with its path."""
    if isinstance(config, GroupingConfig):
        config = config.model_dump()
    try:
        return GroupingConfig.model_validate(config)
    except ValidationError as exc:
        first = exc.errors()[0]
        path = ".".join(["grouping", *(str(part) for part in first["loc"])])
        got = first.get("input")
        raise ParameterError(f"parameter '{path}': {first['msg']}, got {got!r}") from exc


def validate_grouping(config: GroupingConfig | Mapping[str, Any], n_users: int) -> GroupingConfig:
    """Check ``grouping`` against its ranges and the data; return the typed config.

    Args:
        config: The ``grouping`` parameters, typed or as a raw mapping.
        n_users: N, the number of user ids (0 .. N-1) to be grouped.

    Returns:
        The validated :class:`GroupingConfig`.

    Raises:
        ParameterError: A field is out of range (its full path is named), S exceeds
            N, ``min_count`` could drop a user from the vocabulary, or neither
            hierarchical softmax nor negative sampling is on.
        DataValidationError: There is no user to group.
    """
    cfg = _parse(config)
    if n_users < 1:
        raise DataValidationError(f"grouping needs at least one user, got n_users={n_users}")
    if cfg.n_groups > n_users:
        raise ParameterError(
            f"parameter 'grouping.n_groups' must be in [1, {n_users}] "
            f"(the number of users), got {cfg.n_groups}"
        )
    _check_word2vec(cfg)
    return cfg


def _check_word2vec(cfg: GroupingConfig) -> None:
    """Every user must keep a vector, and Word2Vec must have an output layer."""
    if cfg.word2vec.min_count > cfg.walks.repetitions:
        raise ParameterError(
            "parameter 'grouping.word2vec.min_count' must be <= grouping.walks.repetitions "
            f"({cfg.walks.repetitions}) so that every user keeps an embedding, "
            f"got {cfg.word2vec.min_count}"
        )
    if cfg.word2vec.hs == 0 and cfg.word2vec.negative == 0:
        raise ParameterError(
            "parameter 'grouping.word2vec.negative' must be >= 1 when grouping.word2vec.hs is 0"
        )
