"""Side tables: parsing RecBole's item / user files and joining them to internal ids."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from recunlearn.data.cleaning import reindex
from recunlearn.data.metadata import (
    age_band,
    generated_side_tables,
    genre_items,
    genre_lookup,
    item_genres,
    parse_recbole_items,
    parse_recbole_users,
    user_groups,
)
from recunlearn.errors import DataValidationError, ParameterError

ITEMS = (
    "item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\n"
    "1\tToy Story\t1995\tAnimation Children's Comedy\n"
    "2\tGoldenEye\t1995\tAction Thriller\n"
    "10\tPsycho\t1960\tHorror Thriller\n"
)
USERS = (
    "user_id:token\tage:token\tgender:token\toccupation:token\tzip_code:token\n"
    "1\t24\tM\ttechnician\t85711\n"
    "2\t53\tF\tother\t94043\n"
    "3\t17\tF\tstudent\t32067\n"
)


def stream(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode())


def id_map() -> pd.DataFrame:
    """Users 1, 3 and items 10, 2 survive cleaning (user 2 and item 1 were filtered)."""
    raw = pd.DataFrame({"user": ["3", "1", "3"], "item": ["2", "10", "10"]})
    return reindex(raw)[1]  # user "1" -> 0, "3" -> 1; item "10" -> 0, "2" -> 1


def test_item_file_gives_one_row_per_genre_on_internal_ids():
    raw = parse_recbole_items(stream(ITEMS), "ml-100k.item")
    assert len(raw) == 7
    genres = item_genres(raw, id_map())
    assert genres.values.tolist() == [
        [0, "Horror"],
        [0, "Thriller"],
        [1, "Action"],
        [1, "Thriller"],
    ]


def test_user_file_gives_gender_and_age_band_on_internal_ids():
    groups = user_groups(parse_recbole_users(stream(USERS), "ml-100k.user"), id_map())
    assert groups.values.tolist() == [[0, "M", "18-24"], [1, "F", "<18"]]


def test_a_user_file_with_a_bad_age_names_its_line():
    bad = USERS.replace("\t53\t", "\tfifty\t")
    with pytest.raises(DataValidationError, match=r"^ml-100k.user: line 3: column 'age'"):
        parse_recbole_users(stream(bad), "ml-100k.user")


def test_age_bands_are_movielens_bands():
    bands = age_band(pd.Series([7, 18, 24, 25, 55, 56, 73]))
    assert bands.tolist() == ["<18", "18-24", "18-24", "25-34", "45-55", "56+", "56+"]


def test_genre_items_and_an_unknown_genre_named_with_its_file():
    genres = pd.DataFrame({"item": [4, 2, 4, 7], "genre": ["Horror", "Horror", "War", "War"]})
    assert genre_items(genres, "Horror", "f").tolist() == [2, 4]
    lookup = genre_lookup(genres, "ml-100k")
    assert lookup("War").tolist() == [4, 7]
    with pytest.raises(
        ParameterError, match=r"^parameter 'poisoning.genre': no item of ml-100k.item .*Horror, War"
    ):
        lookup("Horor")
    with pytest.raises(ParameterError, match="ml-1m .it has no item file"):
        genre_lookup(genres.head(0), "ml-1m")("Horror")


def test_generated_side_tables_are_seeded_and_cover_every_token():
    first, again = generated_side_tables(50, 40, 1), generated_side_tables(50, 40, 1)
    assert first["items"].equals(again["items"]) and first["users"].equals(again["users"])
    assert set(first["items"]["item"]) == {str(i) for i in range(40)}
    assert first["users"]["user"].tolist() == [str(u) for u in range(50)]
    assert not first["users"].equals(generated_side_tables(50, 40, 2)["users"])
    assert np.isin(first["users"]["gender"], ["F", "M"]).all()
