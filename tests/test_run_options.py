"""``--namespaces`` and ``--load-versions`` checked against what exists."""

from __future__ import annotations

import pytest

from recunlearn.errors import ParameterError
from recunlearn.run_options import check_load_versions, check_namespaces, namespaces_of

NODES = [None, "mf.ifru", "mf.evaluation.ifru", "lightgcn.ifru"]


def test_a_namespace_and_each_of_its_prefixes_are_valid():
    assert namespaces_of(NODES) == [
        "lightgcn",
        "lightgcn.ifru",
        "mf",
        "mf.evaluation",
        "mf.evaluation.ifru",
        "mf.ifru",
    ]
    check_namespaces(["mf", "lightgcn.ifru"], NODES)


def test_an_unknown_namespace_lists_the_valid_ones():
    with pytest.raises(ParameterError) as error:
        check_namespaces(["mf", "foo", "mf.sisa"], NODES)
    assert str(error.value) == (
        "--namespaces: unknown namespace(s) foo, mf.sisa; valid namespaces: lightgcn, "
        "lightgcn.ifru, mf, mf.evaluation, mf.evaluation.ifru, mf.ifru"
    )


SAVED = {
    "prm_train": (
        "data/03_primary/train.csv",
        ["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04"],
    )
}


def test_a_version_never_saved_names_the_dataset_and_its_latest_versions():
    with pytest.raises(ParameterError) as error:
        check_load_versions({"prm_train": "2020-01-01"}, SAVED.get)
    assert str(error.value) == (
        "--load-versions prm_train:2020-01-01: dataset prm_train has no such version under "
        "data/03_primary/train.csv; latest versions: 2026-01-04, 2026-01-03, 2026-01-02"
    )


def test_a_saved_version_passes_and_an_unversioned_dataset_is_named():
    check_load_versions({"prm_train": "2026-01-01"}, SAVED.get)
    with pytest.raises(ParameterError, match=r"^--load-versions raw_ratings:x: raw_ratings is not"):
        check_load_versions({"raw_ratings": "x"}, SAVED.get)


def test_a_dataset_with_no_saved_version_says_so():
    with pytest.raises(ParameterError, match="latest versions: none saved yet$"):
        check_load_versions({"mi_train": "x"}, {"mi_train": ("p", [])}.get)
