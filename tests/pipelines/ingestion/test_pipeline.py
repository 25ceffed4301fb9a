import pytest

from recunlearn.errors import ParameterError
from recunlearn.pipelines.ingestion import create_pipeline

from ..conftest import run_pipeline, tiny_parameters


def test_ingestion_runs_in_memory(raw_ratings):
    out = run_pipeline(create_pipeline(), {"raw_ratings": raw_ratings})
    interactions = out["int_interactions"]
    assert list(interactions.columns) == ["user", "item", "rating", "timestamp", "label"]
    assert interactions["user"].max() + 1 == interactions["user"].nunique()
    log = out["split_log"]
    assert log["train_rows"] == len(out["prm_train"])
    assert log["valid_rows"] + log["dropped_cold_valid_rows"] + log["test_rows"] + log[
        "dropped_cold_test_rows"
    ] + log["train_rows"] == len(interactions)
    assert out["ingestion_log"]["threshold"] == 4.0


def test_a_catalog_dataset_other_than_the_parameter_is_refused(raw_ratings):
    params = tiny_parameters() | {"dataset": "bookcrossing"}
    with pytest.raises(ParameterError, match="parameter 'dataset' is 'bookcrossing'"):
        run_pipeline(create_pipeline(), {"raw_ratings": raw_ratings}, params)
