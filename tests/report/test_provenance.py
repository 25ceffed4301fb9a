from recunlearn.report.provenance import (
    UNKNOWN_RUN,
    describe_run,
    drop_cross_run_speedups,
    other_run_rows,
    provenance_markdown,
    report_run_id,
    runs_table,
)

from .conftest import OLDER_RUN, RUN


def test_runs_table_reads_family_run_id_and_times_from_the_logs(report_inputs):
    _, runs = report_inputs
    laser = runs.query("backbone == 'mf' and model == 'laser'").iloc[0]
    assert (laser["family"], laser["run_id"], laser["prepare_seconds"]) == ("exact", RUN, 30.0)
    original = runs.query("model == 'original'").iloc[0]
    assert original["family"] == "before unlearning"
    assert runs_table({"retrain": {"seconds": 1.0}}, "mf")["run_id"].tolist() == [UNKNOWN_RUN]


def test_the_report_stands_for_the_latest_run_and_names_the_rows_of_others(report_inputs):
    _, runs = report_inputs
    assert report_run_id(runs) == RUN
    others = other_run_rows(runs)
    assert others[["backbone", "model", "run_id"]].values.tolist() == [
        ["lightgcn", "warm_start", OLDER_RUN]
    ]


def test_no_speedup_divides_times_of_two_runs(report_inputs):
    tidy, runs = report_inputs
    kept = drop_cross_run_speedups(tidy, runs).query("metric == 'speedup'")
    pairs = set(zip(kept["backbone"], kept["model"], strict=True))
    assert ("lightgcn", "warm_start") not in pairs
    assert ("mf", "warm_start") in pairs and ("lightgcn", "ifru") in pairs
    assert len(kept) == len(tidy.query("metric == 'speedup'")) - 1


def test_header_states_run_dataset_seed_device_threads_and_versions(report_inputs):
    _, runs = report_inputs
    session = {"session_id": "2026-11-21T00.00.00.000Z", "versions": {"mi_train": RUN}}
    provenance = describe_run(runs, session, "ml-100k", 2024)
    text = "\n".join(provenance_markdown(provenance))
    for expected in (RUN, "2026-11-21T00.00.00.000Z", "ml-100k", "2024", "cpu", "`mi_train`"):
        assert expected in text
    assert f"lightgcn.warm_start ({OLDER_RUN})" in text and "†" in text
