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


def test_a_category_request_deletes_the_users_rows_on_the_genre(raw_ratings):
    params = tiny_parameters()
    params["poisoning"] = params["poisoning"] | {"kind": "category", "genre": "Horror"}
    out = run_pipeline(ingestion() + create_pipeline(), {"raw_ratings": raw_ratings}, params)
    train, forget = out["mi_train"], out["mi_forget"]
    tokens = out["int_id_map"].query("kind == 'item'").set_index("id")["token"]
    horror = {int(t[1:]) % 3 == 0 for t in tokens[forget["item"]]}  # conftest: i mod 3 == 0
    assert horror == {True} and forget["user"].nunique() == params["poisoning"]["n_users"]
    chosen = train["user"].isin(set(forget["user"]))
    on_genre = train["item"].map(lambda item: int(tokens[item][1:]) % 3 == 0)
    assert train["forget"].equals(chosen & on_genre)


def test_an_unknown_genre_names_the_parameter_and_the_file(raw_ratings):
    params = tiny_parameters()
    params["poisoning"] = params["poisoning"] | {"kind": "category", "genre": "Horor"}
    with pytest.raises(Exception, match=r"poisoning.genre.*the item genres of ml-1m"):
        run_pipeline(ingestion() + create_pipeline(), {"raw_ratings": raw_ratings}, params)
