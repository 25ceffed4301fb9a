import numpy as np
import pandas as pd
import pytest
from kedro.io import DataCatalog
from kedro.runner import SequentialRunner
from matplotlib.figure import Figure

from recunlearn.errors import ParameterError
from recunlearn.pipelines.grouping import create_pipeline
from recunlearn.pipelines.ingestion import create_pipeline as ingestion
from recunlearn.pipelines.poisoning import create_pipeline as poisoning

from ...conftest import checkerboard
from ..conftest import KeptMemoryDataset, run_pipeline, tiny_parameters


def grouping_inputs(seed: int = 1) -> dict[str, pd.DataFrame]:
    """``mi_train`` (with ``forget``) and ``int_interactions`` of a 30-user checkerboard."""
    frame = checkerboard(n_users=30, n_items=20, density=0.6, seed=seed)
    train = frame.assign(forget=np.arange(len(frame)) % 7 == 0)
    return {"mi_train": train, "int_interactions": frame}


def test_grouping_after_poisoning_produces_every_output_with_its_contract(raw_ratings):
    out = run_pipeline(ingestion() + poisoning() + create_pipeline(), {"raw_ratings": raw_ratings})
    n_users = int(out["int_interactions"]["user"].max()) + 1
    groups = out["grp_user_groups"]
    assert list(groups.columns) == ["user", "rand", "bkm", "cbkm"]
    assert groups["user"].tolist() == list(range(n_users))
    for name in ("rand", "bkm", "cbkm"):
        sizes = np.bincount(groups[name], minlength=3)
        assert len(sizes) == 3 and sizes.max() <= -(-n_users // 3)
    cohesion = out["grp_cohesion"]
    assert list(cohesion.columns) == ["grouping", "group", "size", "cohesion", "rank"]
    assert sorted(cohesion["grouping"].unique()) == ["bkm", "cbkm", "rand"]
    for _, block in cohesion.groupby("grouping"):
        assert sorted(block["rank"]) == [0, 1, 2]
        assert block.loc[block["rank"] == 0, "cohesion"].item() == block["cohesion"].max()
    embeddings = out["grp_embeddings"]
    assert list(embeddings.columns) == ["user"] + [f"e{k}" for k in range(8)]
    assert out["grp_walks_summary"]["n_walks"] == 4 * n_users
    assert set(out["grp_log"]["seconds"]) >= {"hypergraph", "walks", "word2vec", "kmeans"}
    assert isinstance(out["grp_sizes_plot"], Figure)
    assert isinstance(out["grp_cohesion_plot"], Figure)


def test_every_user_id_is_grouped_even_without_training_rows():
    data = grouping_inputs()
    data["int_interactions"] = pd.concat(
        [data["int_interactions"], pd.DataFrame({"user": [33], "item": [0]})]
    )
    groups = run_pipeline(create_pipeline(), data)["grp_user_groups"]
    assert groups["user"].tolist() == list(range(34))
    assert groups[["rand", "bkm", "cbkm"]].notna().all().all()


def test_same_seed_gives_identical_groups():
    first = run_pipeline(create_pipeline(), grouping_inputs())["grp_user_groups"]
    again = run_pipeline(create_pipeline(), grouping_inputs())["grp_user_groups"]
    pd.testing.assert_frame_equal(first, again)


def test_the_forget_column_does_not_change_the_groups():
    marked = grouping_inputs()
    unmarked = grouping_inputs()
    unmarked["mi_train"] = unmarked["mi_train"].assign(forget=False)
    first = run_pipeline(create_pipeline(), marked)["grp_user_groups"]
    second = run_pipeline(create_pipeline(), unmarked)["grp_user_groups"]
    pd.testing.assert_frame_equal(first, second)


@pytest.mark.parametrize(
    ("override", "path"),
    [
        ({"n_groups": 0}, "grouping.n_groups"),
        ({"n_groups": 31}, "grouping.n_groups"),
        ({"walks": {"repetitions": 4, "depth": 0}}, "grouping.walks.depth"),
    ],
)
def test_bad_parameter_fails_before_any_output_is_saved(override, path):
    params = tiny_parameters()
    params["grouping"] = params["grouping"] | override
    pipeline = create_pipeline()
    catalog = DataCatalog()
    for name, value in params.items():
        catalog[f"params:{name}"] = value
    for name, value in grouping_inputs().items():
        catalog[name] = value
    for name in pipeline.all_outputs():
        catalog[name] = KeptMemoryDataset()
    with pytest.raises(ParameterError, match=f"parameter '{path}'"):
        SequentialRunner().run(pipeline, catalog)
    assert not [name for name in pipeline.all_outputs() if catalog.exists(name)]
