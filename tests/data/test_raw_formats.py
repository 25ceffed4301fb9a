import io

import pytest

from recunlearn.data.raw_formats import (
    DATASETS,
    dataset_spec,
    parse_amazon_ratings,
    parse_bookcrossing,
    parse_kuairec,
    parse_kuairec_binary,
    parse_movielens_dat,
    parse_recbole_inter,
)
from recunlearn.errors import DataValidationError, ParameterError


def stream(text: str, encoding: str = "utf-8") -> io.BytesIO:
    return io.BytesIO(text.encode(encoding))


def test_recbole_inter_is_parsed_to_the_standard_columns():
    text = "user_id:token\titem_id:token\trating:float\ttimestamp:float\n196\t242\t3\t881250949\n"
    frame = parse_recbole_inter(stream(text), "ml-100k.inter")
    assert list(frame.columns) == ["user", "item", "rating", "timestamp"]
    assert frame.iloc[0].to_dict() == {
        "user": "196",
        "item": "242",
        "rating": 3.0,
        "timestamp": 881250949.0,
    }


def test_movielens_dat_splits_on_double_colons():
    frame = parse_movielens_dat(
        stream("1::1193::5::978300760\n2::661::3::978302109\n"), "ratings.dat"
    )
    assert frame["item"].tolist() == ["1193", "661"]
    assert frame["rating"].tolist() == [5.0, 3.0]


def test_bookcrossing_reads_latin1_semicolons_and_has_no_timestamp():
    text = '"User-ID";"ISBN";"Book-Rating"\n"276725";"034545104X";"0"\n"276726";"0155061224";"5"\n'
    frame = parse_bookcrossing(stream(text, "latin-1"), "BX-Book-Ratings.csv")
    assert frame["item"].tolist() == ["034545104X", "0155061224"]
    assert frame["timestamp"].tolist() == [0.0, 0.0]


def test_amazon_ratings_have_no_header():
    frame = parse_amazon_ratings(stream("AKM1MP6P0OYPR,0132793040,5.0,1365811200\n"), "ratings.csv")
    assert frame.iloc[0]["user"] == "AKM1MP6P0OYPR"


def test_kuairec_uses_watch_ratio_as_rating():
    text = "user_id,video_id,play_duration,video_duration,time,date,timestamp,watch_ratio\n14,148,4381,6067,2020-07-05,20200705,1593898000.0,0.72\n"
    frame = parse_kuairec(stream(text), "small_matrix.csv")
    assert frame.iloc[0]["rating"] == pytest.approx(0.72)


def test_missing_column_names_file_and_column():
    text = "user_id:token\titem_id:token\ttimestamp:float\n1\t2\t3\n"
    with pytest.raises(DataValidationError, match=r"ml-100k.inter.*rating"):
        parse_recbole_inter(stream(text), "ml-100k.inter")


def test_non_numeric_rating_names_file_column_and_1_based_line():
    text = "1::10::5::1\n2::20::five::2\n"
    with pytest.raises(DataValidationError) as error:
        parse_movielens_dat(stream(text), "ratings.dat")
    assert str(error.value) == "ratings.dat: line 2: column 'Rating' is not a number (got 'five')"


def test_the_line_counts_the_header_and_blank_lines():
    header = HEADERS["ml-100k"]  # line 1
    text = header + "1\t2\t3\t4\n\n2\t3\t4\t5\n3\t4\tx\t6\n"  # the bad row is line 5
    with pytest.raises(DataValidationError) as error:
        parse_recbole_inter(stream(text), "ml-100k.inter")
    assert str(error.value) == "ml-100k.inter: line 5: column 'rating' is not a number (got 'x')"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("u,i,5.0,1\nu,,4.0,2\n", "line 2: column 'item' is empty"),
        ("u,i,5.0,1\n\nv,i,,2\n", "line 3: column 'rating' is empty"),
        ("u,i,5.0,1\nv,i,4.0,later\n", "line 2: column 'timestamp' is not a number (got 'later')"),
    ],
)
def test_an_empty_token_or_value_is_named_by_its_line(text, expected):
    with pytest.raises(DataValidationError) as error:
        parse_amazon_ratings(stream(text), "ratings.csv")
    assert str(error.value) == f"ratings.csv: {expected}"


def test_a_missing_timestamp_is_zero_and_blank_lines_are_skipped():
    frame = parse_amazon_ratings(stream("u,i,5.0,\n\nv,j,4.0,7\n"), "ratings.csv")
    assert frame["timestamp"].tolist() == [0.0, 7.0]
    assert frame.index.tolist() == [0, 1]


def test_unknown_dataset_names_the_parameter():
    with pytest.raises(ParameterError, match="parameter 'dataset'.*'ml-20m'"):
        dataset_spec("ml-20m")


def test_every_downloadable_dataset_has_a_url_and_the_embedded_one_has_none():
    assert DATASETS["ml-100k"].url is None
    assert all(spec.url for name, spec in DATASETS.items() if name != "ml-100k")


HEADERS = {
    "ml-100k": "user_id:token\titem_id:token\trating:float\ttimestamp:float\n",
    "bookcrossing": '"User-ID";"ISBN";"Book-Rating"\n',
    "kuairec": "user_id,video_id,play_duration,video_duration,time,date,timestamp,watch_ratio\n",
}

WRONG_SEPARATOR = {
    "ml-100k": (
        "user_id:token,item_id:token,rating:float,timestamp:float\n1,2,3,4\n",
        "every line is one field where 4 columns (user_id, item_id, rating, timestamp) "
        "are expected: wrong separator",
    ),
    "ml-1m": (
        "1\t10\t5\t100\n2\t11\t4\t101\n",
        "expected 4 '::'-separated fields per line (UserID::MovieID::Rating::Timestamp); "
        "the first line is '1\\t10\\t5\\t100'",
    ),
    "bookcrossing": (
        '"User-ID","ISBN","Book-Rating"\n"1","2","3"\n',
        "every line is one field where 3 columns (User-ID, ISBN, Book-Rating) "
        "are expected: wrong separator",
    ),
    "amazon-electronics": (
        "a;b;5.0;1\n",
        "expected 4 comma-separated columns user,item,rating,timestamp; found 1",
    ),
    "kuairec": (
        "user_id;video_id;timestamp;watch_ratio\n1;2;3;0.5\n",
        "every line is one field where 4 columns (user_id, video_id, watch_ratio, timestamp) "
        "are expected: wrong separator",
    ),
}


@pytest.mark.parametrize("name", sorted(WRONG_SEPARATOR))
@pytest.mark.parametrize("text", ["", "\n\n"])
def test_an_empty_file_is_named(name, text):
    with pytest.raises(DataValidationError) as error:
        DATASETS[name].parse(stream(text), f"data/01_raw/{name}")
    assert str(error.value) == f"data/01_raw/{name}: the file is empty"


@pytest.mark.parametrize("name", sorted(HEADERS))
def test_a_header_only_file_is_named(name):
    with pytest.raises(DataValidationError) as error:
        DATASETS[name].parse(stream(HEADERS[name]), "raw.csv")
    assert str(error.value) == "raw.csv: no data rows, only a header"


@pytest.mark.parametrize("name", sorted(WRONG_SEPARATOR))
def test_a_file_with_the_wrong_separator_is_named(name):
    text, expected = WRONG_SEPARATOR[name]
    with pytest.raises(DataValidationError) as error:
        DATASETS[name].parse(stream(text), "raw.csv")
    assert str(error.value) == f"raw.csv: {expected}"


def test_a_ragged_line_is_named():
    with pytest.raises(DataValidationError, match=r"^ratings.dat: malformed line \(.*line 2"):
        parse_movielens_dat(stream("1::10::5::100\n2::11::4::101::7\n"), "ratings.dat")


def test_kuairec_binary_keeps_only_views_watched_at_least_twice_over():
    header = "user_id,video_id,play_duration,video_duration,time,date,timestamp,watch_ratio\n"
    rows = "".join(
        f"{u},{v},1,1,2020-07-05,20200705,1593898000.0,{r}\n"
        for u, v, r in [(1, 10, 0.72), (1, 11, 2.0), (2, 10, 3.5), (2, 12, 1.99)]
    )
    frame = parse_kuairec_binary(stream(header + rows), "small_matrix.csv")
    assert list(zip(frame["user"], frame["item"], strict=True)) == [("1", "11"), ("2", "10")]
    assert dataset_spec("kuairec-binary").filename == dataset_spec("kuairec").filename
