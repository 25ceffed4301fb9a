"""A results page built from a toy seeds benchmark, with known means, intervals and ranks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from recunlearn.report.results_page import CRITERIA, rank_ranges, seeds_page
from recunlearn.unlearning import METHOD_SPECS

ROOT = Path(__file__).resolve().parents[2]
MACHINE = {
    "protocol": "ifru",
    "command": "`python benchmarks/seeds.py --seeds 1 2 3`",
    "device": "cpu",
    "threads": "1",
    "date": "2026-12-06 01:00 UTC",
    "commit": "abc1234",
    "load_average": "2.00 / 2.10 / 2.20 at the start, 2.50 / 2.20 / 2.10 at the end",
}
OURS = {  # three seeds each: mean the middle value, std 0.01
    ("original", "auc_0"): 0.61,
    ("retrain", "auc_0"): 0.76,
    ("sisa", "auc_0"): 0.71,  # above Original here, below it in the paper
    ("ifru", "auc_0"): 0.75,
    ("retrain", "auc_1"): 0.76,
    ("ifru", "auc_1"): 0.74,
}


def raw() -> pd.DataFrame:
    rows = [
        {"seed": seed, "backbone": "mf", "model": model, "metric": metric, "value": mean + d}
        for (model, metric), mean in OURS.items()
        for seed, d in zip((1, 2, 3), (-0.01, 0.0, 0.01), strict=True)
    ]
    return pd.DataFrame(rows)


def paper(rows: list[tuple[str, str, float, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"protocol": "ifru", "dataset": "Amazon", "backbone": "mf", "model": m}
            | {"metric": k, "value": v, "source": "IFRU Table 2", "criterion": c}
            for m, k, v, c in rows
        ]
    )


def table_row(page: str, *cells: str) -> list[str]:
    """The cells of the one table row of ``page`` whose first cells are ``cells``."""
    rows = [[c.strip() for c in line.split("|")[1:-1]] for line in page.splitlines()]
    (row,) = [row for row in rows if tuple(row[: len(cells)]) == cells]
    return row


def test_the_page_states_its_provenance_and_mean_with_95_ci_over_seeds():
    page = seeds_page(raw(), MACHINE, paper([]))
    for field in ("command", "device", "threads", "date", "commit", "load average"):
        assert f"| {field} |" in page
    assert "| load average | 2.00 / 2.10 / 2.20 at the start" in page
    assert "| seeds | 1, 2, 3 |" in page
    # t(0.975, 2) = 4.303; 4.303 * 0.01 / sqrt(3) = 0.0248
    assert table_row(page, "Retrain")[1] == "0.7600 ± 0.0248 (3 seeds)"
    assert "No seed paper reports" in page


def test_paper_values_stand_beside_ours_with_a_reproduces_cell_per_criterion():
    values = paper(
        [
            ("original", "auc_0", 0.62, "rank"),
            ("retrain", "auc_0", 0.63, "rank"),
            ("sisa", "auc_0", 0.54, "rank"),
            ("scif", "auc_0", 0.60, "rank"),  # not in our run: left out of the ranks
            ("ifru", "auc_0", 0.626, "rank"),
            ("retrain", "auc_1", 0.755, "within_ci"),
            ("ifru", "auc_1", 0.70, "within_ci"),
        ]
    )
    page = seeds_page(raw(), MACHINE, values)
    # ours: Retrain 0.76, IFRU 0.75, SISA 0.71, Original 0.61, every seed moving all of them
    # together (paired differences constant: every pair ordered); the paper: Retrain
    # 0.63, IFRU 0.626, Original 0.62, SISA 0.54 (SCIF's 0.60 has no counterpart here)
    assert table_row(page, "MF", "Retrain", "AUC_0")[6] == "yes (rank 1)"
    assert table_row(page, "MF", "IFRU", "AUC_0")[6] == "yes (rank 2)"
    assert table_row(page, "MF", "SISA", "AUC_0")[6] == "no (ours 3, paper 4)"
    assert table_row(page, "MF", "Original", "AUC_0")[6] == "no (ours 4, paper 3)"
    # SISA swinging ± 0.5 by seed on its own: no pair with it is ordered (n/s), the
    # other three keep their order
    noisy = raw()
    swing = (noisy["model"] == "sisa") & (noisy["metric"] == "auc_0")
    noisy.loc[swing, "value"] += (noisy.loc[swing, "seed"] - 2) * 0.5
    undecided = seeds_page(noisy, MACHINE, values)
    assert table_row(undecided, "MF", "SISA", "AUC_0")[6] == "n/s (ours 1-4, paper 4)"
    assert table_row(undecided, "MF", "IFRU", "AUC_0")[6] == "yes (ours 2-3, paper 2)"
    assert table_row(undecided, "MF", "Original", "AUC_0")[6] == "yes (ours 3-4, paper 3)"
    assert table_row(page, "MF", "Retrain", "AUC_1")[6] == "yes"  # 0.755 in 0.76 ± 0.0248
    assert table_row(page, "MF", "IFRU", "AUC_1")[6] == "no (+0.0400)"  # 0.70 outside
    assert "SCIF" not in page.split("## Paper beside ours")[1]
    assert all(text in page for text in CRITERIA.values())
    assert table_row(page, "MF", "IFRU", "AUC_0")[3:6] == [
        "0.7500 ± 0.0248 (3 seeds)",
        "0.6260",
        "IFRU Table 2 (Amazon)",
    ]


def test_ranks_order_two_methods_only_where_their_paired_difference_is_beyond_noise():
    # b - a per seed: -0.02, -0.01, -0.03 (CI of the mean -0.02 ± 0.0248: includes 0);
    # c - a: -0.10 each seed (ordered); d - c: +0.001, +0.002, +0.003 (0.002 ± 0.0025)
    per_seed = pd.DataFrame(
        {
            "a": [0.80, 0.70, 0.90],
            "b": [0.78, 0.69, 0.87],
            "c": [0.70, 0.60, 0.80],
            "d": [0.701, 0.602, 0.803],
        }
    )
    assert rank_ranges(per_seed) == {"a": (1, 2), "b": (1, 2), "c": (3, 4), "d": (3, 4)}
    # one seed: the differences themselves order every pair
    assert rank_ranges(per_seed.iloc[:1]) == {"a": (1, 1), "b": (2, 2), "c": (4, 4)} | {"d": (3, 3)}


def test_the_checked_in_paper_values_name_their_source_and_a_known_criterion():
    values = pd.read_csv(ROOT / "docs" / "paper_values.csv")
    assert len(values) >= 36
    assert set(values["criterion"]) <= set(CRITERIA)
    assert set(values["model"]) <= {"original", *METHOD_SPECS}
    assert values["source"].str.match(r"(IFRU|AltEraser|LASER) (Table|Fig\.) \d").all()
    assert set(values["protocol"]) <= {"ifru", "alteraser", "laser", "single_user"}
    assert not values.duplicated(["protocol", "dataset", "backbone", "model", "metric"]).any()


@pytest.mark.parametrize("rows", [0, 2])
def test_the_node_refuses_a_machine_table_without_exactly_one_row(rows):
    from recunlearn.pipelines.results.nodes import write_seeds_page

    machine = pd.DataFrame([MACHINE] * rows, columns=list(MACHINE))
    with pytest.raises(ValueError, match=f"bmk_seeds_machine: expected one row .* got {rows}"):
        write_seeds_page(raw(), machine, paper([]))
