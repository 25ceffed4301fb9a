import pytest

from recunlearn.errors import DataValidationError, ParameterError
from recunlearn.grouping import GroupingConfig, validate_grouping


def test_defaults_are_the_papers_settings():
    cfg = GroupingConfig()
    assert cfg.n_groups == 8
    assert cfg.hypergraph.order == 4
    assert (cfg.walks.repetitions, cfg.walks.depth) == (4, 8)


def test_a_valid_mapping_becomes_a_typed_config():
    cfg = validate_grouping({"n_groups": 3, "walks": {"depth": 2}}, n_users=10)
    assert isinstance(cfg, GroupingConfig)
    assert (cfg.n_groups, cfg.walks.depth, cfg.walks.repetitions) == (3, 2, 4)


@pytest.mark.parametrize(
    ("raw", "n_users", "path"),
    [
        ({"n_groups": 0}, 10, "grouping.n_groups"),
        ({"n_groups": -2}, 10, "grouping.n_groups"),
        ({"n_groups": 11}, 10, "grouping.n_groups"),
        ({"walks": {"depth": 0}}, 10, "grouping.walks.depth"),
        ({"walks": {"repetitions": 0}}, 10, "grouping.walks.repetitions"),
        ({"hypergraph": {"order": 2}}, 10, "grouping.hypergraph.order"),
        ({"kmeans": {"max_iter": 0}}, 10, "grouping.kmeans.max_iter"),
        ({"word2vec": {"vector_size": 0}}, 10, "grouping.word2vec.vector_size"),
        ({"word2vec": {"sg": 2}}, 10, "grouping.word2vec.sg"),
        ({"word2vec": {"min_count": 5}}, 10, "grouping.word2vec.min_count"),
        ({"word2vec": {"hs": 0, "negative": 0}}, 10, "grouping.word2vec.negative"),
        ({"walks": {"steps": 3}}, 10, "grouping.walks.steps"),
    ],
)
def test_bad_parameters_name_their_full_path(raw, n_users, path):
    with pytest.raises(ParameterError, match=f"parameter '{path}'"):
        validate_grouping(raw, n_users)


def test_typed_config_is_checked_against_the_data_too():
    with pytest.raises(ParameterError, match="'grouping.n_groups'"):
        validate_grouping(GroupingConfig(n_groups=5), n_users=4)
    assert validate_grouping(GroupingConfig(n_groups=4), n_users=4).n_groups == 4


def test_no_user_is_a_data_error():
    with pytest.raises(DataValidationError):
        validate_grouping({}, n_users=0)
