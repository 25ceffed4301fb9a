"""The cost page: each target beside a toy benchmark table, the verdict computed."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from recunlearn.pipelines.results.nodes import write_cost_page
from recunlearn.report.cost_page import SECTIONS, cost_page
from recunlearn.report.cost_targets import TARGETS, CostTargets, verdict

MACHINE = {
    "command": "`python benchmarks/x.py --threads 1`",
    "device": "cpu",
    "threads": 1,
    "date": "2026-12-06 18:00 UTC",
    "commit": "abc1234",
    "load_average": "1.00 / 1.00 / 1.00 at the start, 2.00 / 1.50 / 1.20 at the end",
}


def influence_update(epochs_cpu: list[float], tol: float = 0.03, wall: float = 1.1) -> pd.DataFrame:
    """One row per seed of ``bmk_influence_update`` (MF, one tolerance; wall time ``wall``
    times CPU time)."""
    return pd.DataFrame(
        {
            "seed": range(len(epochs_cpu)),
            "backbone": "mf",
            "tol": tol,
            "update_epochs": [e * wall for e in epochs_cpu],
            "update_epochs_cpu": epochs_cpu,
            "hvp_count": 5,
            "completeness_auc_0": 0.5,
            "speedup": 30.0,
        }
    )


def unlearning_speedup(cpu: dict[str, float], tol: float = 0.03) -> pd.DataFrame:
    """``bmk_unlearning_speedup``'s fixed-request rows: CPU speed-up per size."""
    rows = [
        {"size": size, "request": "fixed", "device": "cpu", "ifru_tol": tol,
         "train_rows": 80000 if size == "ml-100k" else int(float(size)), "retrain_seconds": 10.0, "ifru_seconds": 10.0 / s,
         "ifru_products": 9, "speedup": s / 2, "speedup_cpu": s, "speedup_with_prepare": s / 2}
        for size, s in cpu.items()
    ]  # fmt: skip
    return pd.DataFrame(rows)


def exact_single_user(ubp: float, inbp: float) -> pd.DataFrame:
    """``bmk_exact_single_user``: a process-pool row that must not count, then Retrain,
    both RecEraser partitions and SISA in-process."""
    rows = [
        ("receraser", "processes(2)", 99.0),
        ("retrain", "inprocess", 1.0),
        ("receraser_ubp", "inprocess", ubp),
        ("receraser", "inprocess", inbp),
        ("sisa", "inprocess", 9.0),
    ]
    return pd.DataFrame(
        [
            {"method": m, "executor": e, "device": "cpu", "speedup_vs_retrain": s / 2,
             "cpu_speedup_vs_retrain": s, "shards_retrained": 1, "auc_0": 0.7, "ndcg@20": 0.1}
            for m, e, s in rows
        ]
    )  # fmt: skip


def mf_step_speed(cpu_ratio: float) -> pd.DataFrame:
    """``bmk_mf_step_speed``: two repeats of each path; closed form at ``cpu_ratio`` in CPU
    time, 1.3 times that in wall time (the verdict reads CPU time)."""
    rows = []
    for repeat in range(2):
        for path, ratio in (("autograd", 6.0), ("closed_form", cpu_ratio)):
            rows.append(
                {"repeat": repeat, "path": path, "seconds_per_epoch": ratio * 0.013,
                 "cpu_seconds_per_epoch": ratio * 0.01, "floor_seconds": 0.01,
                 "ratio_to_floor": ratio * 1.3, "parameters_bitwise_equal": True}
            )  # fmt: skip
    return pd.DataFrame(rows)


def recbole_bpr(leads: list[float]) -> pd.DataFrame:
    """``bmk_recbole_bpr``: per round the project's side then RecBole's, with the lead."""
    rows = []
    for repeat, lead in enumerate(leads):
        rows += [
            {"repeat": repeat, "side": "recunlearn MF", "rows_per_epoch": 1000,
             "seconds_per_epoch": 0.01, "rows_per_second": 1e5, "lead": lead},
            {"repeat": repeat, "side": "RecBole 1.2.1 BPR", "rows_per_epoch": 2000,
             "seconds_per_epoch": 0.02 * lead, "rows_per_second": 1e5 / lead, "lead": lead},
        ]  # fmt: skip
    return pd.DataFrame(rows)


def measured(**tables: pd.DataFrame) -> dict:
    """Every section: the given toy tables with a machine record, others not run."""
    out = {section.dataset: (pd.DataFrame(), None) for section in SECTIONS}
    for name, table in tables.items():
        out[f"bmk_{name}"] = (table, MACHINE)
    return out


def verdicts(page: str) -> list[str]:
    return [line.rsplit("**", 2)[1] for line in page.splitlines() if line.startswith("- ")]


def test_each_target_is_met_or_not_by_the_measured_value():
    page = cost_page(
        measured(
            influence_update=influence_update([1.4, 1.5, 1.45]),
            unlearning_speedup=unlearning_speedup({"1e5": 30.0, "1e6": 40.0}),
            exact_single_user=exact_single_user(ubp=5.0, inbp=2.9),
            mf_step_speed=mf_step_speed(2.1),
            recbole_bpr=recbole_bpr([5.0, 3.0, 4.5]),
        )
    )
    assert verdicts(page) == ["met", "met", "met", "not met", "not met", "met"]
    assert "faster per row than RecBole's BPR (wall): 4.5x" in page  # the median round
    assert "30.0x at 10^5, 40.0x at 10^6" in page
    exact = page.split("## Exact")[1].split("\n- ")[0]  # the section's table
    assert "| SISA " in exact and "| retrain" not in exact.lower()  # Retrain: the reference
    assert "| commit | abc1234 |" in page
    assert re.search(
        r"\| RecEraser InBP single-user speed-up ≥ 3x Retrain +\| 2.9x +\| not met", page
    )


@pytest.mark.parametrize(
    ("cpu", "expected"),
    [
        ({"1e5": 45.0, "1e6": 41.0}, "not met"),
        ({"1e5": 20.0, "1e6": 39.0}, "not met"),
        ({"ml-100k": 9.0, "1e6": 50.0}, "not judged"),  # no 10^5 to grow from
    ],
)
def test_the_fixed_request_must_grow_and_reach_the_bound(cpu, expected):
    page = cost_page(measured(unlearning_speedup=unlearning_speedup(cpu)))
    assert verdicts(page) == [expected]


def test_the_update_is_judged_at_each_tolerance_over_enough_seeds():
    loaded = influence_update([1.6, 1.7, 1.8], 0.001, wall=0.5)  # in bound in wall time only
    page = cost_page(measured(influence_update=pd.concat([loaded, influence_update([1.2] * 3)])))
    assert verdicts(page) == ["not met", "met"]
    assert "- IFRU's MF update (tol 0.03) ≤ 1.5 MF epochs, 3 seeds: 1.20 epochs" in page
    two_seeds = cost_page(measured(influence_update=influence_update([1.0, 1.0])))
    assert verdicts(two_seeds) == ["not judged"]


def test_the_bounds_come_from_the_targets():
    strict = TARGETS.model_copy(update={"mf_floor_ratio": 1.5})
    assert verdicts(cost_page(measured(mf_step_speed=mf_step_speed(1.8)))) == ["met"]
    assert verdicts(cost_page(measured(mf_step_speed=mf_step_speed(1.8)), strict)) == ["not met"]
    assert verdict(2.0, 2.0, at_most=True) == verdict(3.0, 3.0, at_most=False) == "met"
    with pytest.raises(ValueError, match="mf_floor_ratio"):
        CostTargets(mf_floor_ratio=0)


def test_a_benchmark_not_run_is_one_line_and_no_verdict():
    page = cost_page(measured(mf_step_speed=mf_step_speed(1.8)))
    assert page.count("Not measured yet") == len(SECTIONS) - 1
    assert (
        "Not measured yet: `bmk_exact_single_user` is absent; run `python benchmarks/exact.py`."
        in page
    )


def test_a_table_without_its_machine_record_says_so():
    tables = measured(mf_step_speed=mf_step_speed(1.8))
    tables["bmk_mf_step_speed"] = (mf_step_speed(1.8), None)
    assert "Machine not recorded (`bmk_mf_step_speed_machine` absent" in cost_page(tables)


def test_an_older_table_without_a_column_is_one_line_naming_it():
    old = influence_update([1.0] * 3).drop(columns="update_epochs_cpu")
    with pytest.raises(ValueError, match="^bmk_influence_update: no column update_epochs_cpu$"):
        cost_page(measured(influence_update=old))


def test_the_node_refuses_a_machine_record_of_two_rows_and_reads_an_empty_one_as_absent():
    empty = [pd.DataFrame()] * (2 * len(SECTIONS))
    assert write_cost_page(*empty).count("Not measured yet") == len(SECTIONS)
    twice = list(empty)
    twice[-2:] = [recbole_bpr([5.0]), pd.DataFrame([MACHINE] * 2)]  # the last section's
    with pytest.raises(ValueError, match="bmk_recbole_bpr_machine: expected one row .* got 2"):
        write_cost_page(*twice)


def test_the_recbole_lead_must_reach_the_bound():
    assert verdicts(cost_page(measured(recbole_bpr=recbole_bpr([3.9, 3.0, 8.0])))) == ["not met"]
    page = cost_page(measured(recbole_bpr=recbole_bpr([4.0])))
    assert verdicts(page) == ["met"]
    assert "| RecBole 1.2.1 BPR | 2000 " in page
