import numpy as np
import pandas as pd
import pytest

from recunlearn.data.requests import (
    delete_private,
    flip_labels,
    inject_noise,
    select_users,
    split_request,
)
from recunlearn.errors import ParameterError


def test_label_flip_flips_exactly_the_forget_rows(interactions, rng):
    marked = flip_labels(interactions, 0.1, rng)
    assert marked["forget"].sum() == round(0.1 * len(interactions))
    flipped = marked["label"].to_numpy() != interactions["label"].to_numpy()
    assert np.array_equal(flipped, marked["forget"].to_numpy())


def test_forget_and_retain_partition_d(interactions, rng):
    marked = flip_labels(interactions, 0.2, rng)
    forget, retain = split_request(marked)
    assert len(forget) + len(retain) == len(marked)
    keys = lambda f: set(zip(f["user"], f["item"], strict=True))  # noqa: E731
    assert not keys(forget) & keys(retain)


@pytest.mark.parametrize("ratio", [0.0, 1.0, -0.1, 1.5])
def test_label_flip_ratio_outside_open_interval_is_rejected(interactions, rng, ratio):
    with pytest.raises(ParameterError, match="poisoning.ratio"):
        flip_labels(interactions, ratio, rng)


def test_noise_injection_adds_half_the_positives_on_untouched_items(interactions, rng):
    n_items = int(interactions["item"].max()) + 1
    marked = inject_noise(interactions, interactions, 3, n_items, rng)
    fakes = marked[marked["forget"]]
    assert fakes["user"].nunique() == 3
    assert (fakes["label"] == 1).all()
    positives = interactions[interactions["label"] == 1]["user"].value_counts()
    touched = set(zip(interactions["user"], interactions["item"], strict=True))
    for user, rows in fakes.groupby("user"):
        untouched = n_items - interactions[interactions["user"] == user]["item"].nunique()
        assert len(rows) == min(positives[user] // 2, untouched)
        assert not set(zip(rows["user"], rows["item"], strict=True)) & touched
    pd.testing.assert_frame_equal(
        marked[~marked["forget"]].drop(columns="forget"),
        interactions.reset_index(drop=True),
        check_dtype=False,
    )


def test_noise_injection_rejects_too_many_users(interactions, rng):
    with pytest.raises(ParameterError, match="poisoning.n_users"):
        inject_noise(interactions, interactions, 10_000, 18, rng)


def test_user_wise_top_takes_the_most_active_users(interactions, rng):
    marked = select_users(interactions, 10.0, "top", rng)
    chosen = set(marked.loc[marked["forget"], "user"])
    counts = interactions["user"].value_counts()
    assert len(chosen) == round(0.1 * len(counts))
    assert min(counts[list(chosen)]) >= max(counts.drop(list(chosen)))
    assert marked.groupby("user")["forget"].nunique().max() == 1  # all or none of a user's rows


def test_user_wise_rand_is_seeded(interactions):
    a = select_users(interactions, 20.0, "rand", np.random.default_rng(3))
    b = select_users(interactions, 20.0, "rand", np.random.default_rng(3))
    assert a.equals(b)


def test_user_wise_percent_is_checked(interactions, rng):
    with pytest.raises(ParameterError, match="poisoning.percent"):
        select_users(interactions, 0.0, "rand", rng)


def test_user_wise_user_count_forgets_exactly_that_many_users(interactions, rng):
    marked = select_users(interactions, 5.0, "rand", rng, count=1)
    chosen = marked.loc[marked["forget"], "user"].unique()
    assert len(chosen) == 1
    assert marked["forget"].sum() == (interactions["user"] == chosen[0]).sum()
    top = select_users(interactions, 5.0, "top", rng, count=2)
    counts = interactions["user"].value_counts()
    assert set(top.loc[top["forget"], "user"]) == set(counts.sort_index().nlargest(2).index)


def test_user_wise_user_count_is_checked(interactions, rng):
    with pytest.raises(ParameterError, match="poisoning.user_count"):
        select_users(interactions, 5.0, "rand", rng, count=25)  # 24 users


def test_private_request_deletes_half_of_each_chosen_users_positives(interactions, rng):
    marked = delete_private(interactions, 5, rng)
    pd.testing.assert_frame_equal(marked.drop(columns="forget"), interactions)
    forget = marked[marked["forget"]]
    assert (forget["label"] == 1).all()
    assert forget["user"].nunique() == 5
    positives = interactions[interactions["label"] == 1]["user"].value_counts()
    for user, count in forget["user"].value_counts().items():
        assert count == positives[user] // 2


def test_private_request_is_seeded_and_checks_n_users(interactions):
    first = delete_private(interactions, 4, np.random.default_rng(3))
    again = delete_private(interactions, 4, np.random.default_rng(3))
    other = delete_private(interactions, 4, np.random.default_rng(4))
    assert first["forget"].equals(again["forget"])
    assert not first["forget"].equals(other["forget"])
    with pytest.raises(ParameterError, match="poisoning.n_users"):
        delete_private(interactions, 25, np.random.default_rng(3))


def test_category_request_removes_exactly_the_users_genre_rows():
    from recunlearn.data.requests import delete_category

    train = pd.DataFrame(
        {
            "user": [0, 0, 0, 1, 1, 2, 2],
            "item": [1, 2, 3, 2, 4, 3, 4],
            "label": [1, 0, 1, 1, 1, 1, 0],
        }
    )
    genre = np.array([1, 2])  # user 2 has no row on the genre: never chosen
    both = delete_category(train, genre, 2, np.random.default_rng(0))
    assert both["forget"].tolist() == [True, True, False, True, False, False, False]
    for seed in range(4):
        one = delete_category(train, genre, 1, np.random.default_rng(seed))
        chosen = set(one.loc[one["forget"], "user"])
        assert len(chosen) == 1
        expected = train["user"].isin(chosen) & train["item"].isin(genre)
        assert one["forget"].tolist() == expected.tolist()
        assert one.drop(columns="forget").equals(train)
    with pytest.raises(ParameterError, match=r"poisoning\.n_users.*\[1, 2\]"):
        delete_category(train, genre, 3, np.random.default_rng(0))
