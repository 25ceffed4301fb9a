"""The preflight's checks on in-memory tables: each refuses what its step's node would."""

from __future__ import annotations

import pandas as pd
import pytest
import torch

from recunlearn.errors import DataValidationError, ParameterError
from recunlearn.models import build_backbone, model_payload
from recunlearn.models.config import TrainConfig
from recunlearn.preflight import (
    RunPlan,
    check_data,
    check_device,
    check_model_fits,
    check_saved_inputs,
)
from tests.conftest import checkerboard

INGESTION = frozenset({"int_interactions", "ingestion_log", "prm_train", "prm_valid", "prm_test"})
POISONING = frozenset({"mi_train", "mi_forget", "mi_retain", "poisoning_log"})


def params(**blocks) -> dict:
    """The test environment's values for the blocks the checks read, overridden by ``blocks``."""
    base = {
        "dataset": "ml-1m",
        "seed": 5,
        "ingestion": {"k_core": 2, "split": {"fractions": [0.6, 0.2, 0.2]}},
        "poisoning": {"kind": "label_flip"},
    }
    return base | blocks


class Catalog:
    """A loader over saved tables, recording what was asked for."""

    def __init__(self, **tables) -> None:
        raw = checkerboard()[["user", "item", "rating", "timestamp"]].astype({"user": str})
        self.tables, self.asked = {"raw_ratings": raw, **tables}, []

    def __call__(self, name: str):
        self.asked.append(name)
        return self.tables.get(name)


def plan(outputs=frozenset(), inputs=frozenset(), saved=()) -> RunPlan:
    return RunPlan(frozenset(outputs), frozenset(inputs), tuple(saved))


def test_more_n_users_than_qualify_is_refused_when_the_run_makes_d():
    poisoning = {"kind": "noise_injection", "n_users": 25}  # 24 users in the checkerboard
    with pytest.raises(ParameterError, match=r"^parameter 'poisoning.n_users' must be in \[1, "):
        check_data(params(poisoning=poisoning), plan(INGESTION | POISONING), Catalog())


def test_n_users_is_not_checked_by_a_run_that_does_not_make_d():
    poisoning = {"kind": "noise_injection", "n_users": 25}
    check_data(params(poisoning=poisoning), plan(INGESTION), Catalog())


def test_a_stream_asking_more_users_than_remain_is_refused_before_the_run_draws_it():
    stream = {"n_requests": 4, "request": {"kind": "user_wise", "user_count": 7}}  # 28 > 24
    catalog = Catalog(prm_train=checkerboard(), int_interactions=checkerboard())
    with pytest.raises(
        ParameterError, match=r"stream request 3 of 4: .*stream\.request\.user_count"
    ):
        check_data(params(stream=stream), plan({"stream_requests"}), catalog)
    check_data(params(stream=stream), plan(POISONING), catalog)  # no stream in the run


def test_an_unknown_genre_of_a_category_request_is_refused_before_the_run():
    genres = {"raw_items": pd.DataFrame({"item": ["1", "2"], "genre": ["Horror", "War"]})}
    poisoning = {"kind": "category", "n_users": 1, "genre": "Western"}
    outputs = INGESTION | POISONING | {"int_item_genres"}
    with pytest.raises(ParameterError, match=r"^parameter 'poisoning.genre': .*Horror, War"):
        check_data(params(poisoning=poisoning), plan(outputs), Catalog(**genres))
    check_data(params(poisoning=poisoning | {"genre": "War"}), plan(outputs), Catalog(**genres))


def test_a_run_without_ingestion_checks_the_saved_split_not_the_raw_file():
    catalog = Catalog(prm_train=checkerboard().head(40), int_interactions=checkerboard())
    poisoning = {"kind": "private", "n_users": 24}
    with pytest.raises(ParameterError, match="poisoning.n_users"):
        check_data(params(poisoning=poisoning), plan(POISONING), catalog)
    assert "raw_ratings" not in catalog.asked and "prm_train" in catalog.asked


def test_a_k_core_that_leaves_nothing_is_refused():
    ingestion = {"k_core": 50}
    with pytest.raises(DataValidationError, match=r"^parameter 'ingestion.k_core'=50 leaves no"):
        check_data(params(ingestion=ingestion), plan(INGESTION), Catalog())


def test_a_split_that_leaves_validation_empty_is_refused_unless_its_share_is_zero():
    raw = checkerboard(n_users=3, n_items=3, density=1.0)[["user", "item", "rating", "timestamp"]]
    catalog = Catalog(raw_ratings=raw)  # 9 rows: round(0.04 * 9) = 0 validation rows
    ingestion = {"k_core": 0, "split": {"fractions": [0.76, 0.04, 0.2]}}
    with pytest.raises(DataValidationError, match="ingestion.split.fractions.*valid split empty"):
        check_data(params(ingestion=ingestion), plan(INGESTION), catalog)
    laser = {"k_core": 0, "split": {"fractions": [0.8, 0.0, 0.2]}}
    check_data(params(ingestion=laser), plan(INGESTION), catalog)


def test_more_groups_than_users_is_refused_on_the_saved_interactions():
    catalog = Catalog(int_interactions=checkerboard())
    with pytest.raises(
        ParameterError, match=r"^parameter 'grouping.n_groups' must be in \[1, 24\]"
    ):
        check_data(params(grouping={"n_groups": 25}), plan({"grp_embeddings"}), catalog)
    check_data(params(grouping={"n_groups": 24}), plan({"grp_embeddings"}), catalog)


@pytest.mark.parametrize(
    ("method", "config", "limit"),
    [("sisa", {}, "rows"), ("receraser", {"partition": "user"}, 24)],
)
def test_more_shards_than_d_holds_is_refused(method, config, limit):
    d = checkerboard()
    limit = len(d) if limit == "rows" else limit
    catalog = Catalog(mi_train=d)
    state = {f"mf.{method}.state"}
    fits = params(unlearning={method: config | {"shards": limit}})
    check_data(fits, plan(state), catalog)
    too_many = params(unlearning={method: config | {"shards": limit + 1}})
    with pytest.raises(ParameterError, match=rf"^parameter 'unlearning.{method}.shards'"):
        check_data(too_many, plan(state), catalog)


def test_shards_are_checked_on_d_as_the_run_makes_it():
    """Noise injection adds fake rows to D: S may use them."""
    catalog = Catalog()
    train_rows = len(checkerboard()) * 0.6  # the share of the training split
    cfg = params(
        poisoning={"kind": "noise_injection", "n_users": 20},
        unlearning={"sisa": {"shards": int(train_rows) + 2}},
    )
    check_data(cfg, plan(INGESTION | POISONING | {"mf.sisa.state"}), catalog)


def test_the_methods_a_run_prepares_are_read_from_its_state_outputs():
    outputs = {"mf.sisa.state", "lightgcn.sisa.state", "mf.ifru.state", "mf.original.model"}
    assert plan(outputs).prepared_methods() == ["ifru", "sisa"]
    assert plan({"session.state", "mf.sisa.state"}).prepared_methods() == ["sisa"]


def test_cuda_is_refused_where_absent_and_only_for_runs_that_read_runtime():
    if torch.cuda.is_available():
        pytest.skip("CUDA is available here")
    cuda = params(runtime={"device": "cuda"})
    with pytest.raises(ParameterError, match="'runtime.device' is 'cuda' but CUDA is not"):
        check_device(cuda, plan(inputs={"params:runtime"}))
    check_device(cuda, plan(inputs={"params:ingestion"}))


def payload(n_users=24):
    config = TrainConfig(embedding_dim=4, init_std=0.1)
    return model_payload(build_backbone("mf", n_users, 18, config, checkerboard()))


def test_a_saved_model_whose_tensors_do_not_fit_its_config_is_named():
    wrong = payload()
    wrong["state_dict"]["user_embedding"] = torch.zeros(25, 4)
    with pytest.raises(DataValidationError) as error:
        check_model_fits(wrong, "dataset mf.original.model: m.pt")
    assert str(error.value).startswith(
        "dataset mf.original.model: m.pt: its tensors do not fit the model its config "
        "describes (RuntimeError: Error(s) in loading state_dict for MatrixFactorization: "
        "size mismatch for user_embedding"
    )
    check_model_fits(payload(), "m.pt")
    check_model_fits({"config": {"meta": {}, "seconds": 1.0}, "state_dict": {}}, "state.pt")


def test_every_saved_input_is_loaded_and_its_model_checked():
    wrong = payload()
    del wrong["state_dict"]["item_embedding"]
    catalog = Catalog(**{"mf.original.model": payload(), "lightgcn.original.model": wrong})
    names = ("mf.original.model", "lightgcn.original.model")
    with pytest.raises(DataValidationError, match=r"^dataset lightgcn.original.model: at/path: "):
        check_saved_inputs(plan(saved=names), catalog, lambda name: "at/path")
    assert catalog.asked == list(names)


def test_an_audit_pool_larger_than_the_users_is_refused_before_the_run_writes():
    audits = {"user_pool": 24}  # 24 users in the checkerboard: none would stay in D
    with pytest.raises(ParameterError, match=r"^parameter 'audits.user_pool' must be below"):
        check_data(params(audits=audits), plan(INGESTION), Catalog())
    check_data(params(audits={"user_pool": 5}), plan(INGESTION | POISONING), Catalog())
