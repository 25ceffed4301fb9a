import pytest

from recunlearn.pipelines.ingestion import create_pipeline as ingestion
from recunlearn.pipelines.poisoning import create_pipeline

from ..conftest import run_pipeline, tiny_parameters


@pytest.mark.parametrize("kind", ["label_flip", "noise_injection", "user_wise", "none"])
def test_poisoning_runs_in_memory_for_every_kind(raw_ratings, kind):
    params = tiny_parameters()
    params["poisoning"] = params["poisoning"] | {"kind": kind}
    out = run_pipeline(ingestion() + create_pipeline(), {"raw_ratings": raw_ratings}, params)
    train, forget, retain = out["mi_train"], out["mi_forget"], out["mi_retain"]
    assert len(forget) + len(retain) == len(train)
    assert out["poisoning_log"]["forget_rows"] == int(train["forget"].sum())
    assert (len(forget) == 0) == (kind == "none")
