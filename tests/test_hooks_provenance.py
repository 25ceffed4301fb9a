from kedro.io import DataCatalog, Version
from kedro.pipeline import Node, Pipeline
from kedro_datasets.json import JSONDataset
from kedro_datasets.text import TextDataset

from recunlearn.datasets.session_record import RUN_PROVENANCE
from recunlearn.hooks import ProvenanceHook

RUN = "2026-11-22T10.00.00.000Z"


def identity(value):
    return value


def test_hook_stamps_model_logs_records_versions_and_feeds_the_report(tmp_path):
    catalog = DataCatalog(
        {
            "mi_train": JSONDataset(
                filepath=str(tmp_path / "train.json"), version=Version(None, None)
            ),
            "rpt_report_html": TextDataset(filepath=str(tmp_path / "report.html"), version=None),
        }
    )
    catalog.get("mi_train").save({"rows": 1})
    pipeline = Pipeline([Node(identity, RUN_PROVENANCE, "rpt_report_html")])
    hook = ProvenanceHook()
    hook.before_pipeline_run({"run_id": RUN}, pipeline, catalog)

    log = {"seconds": 1.0}
    hook.before_dataset_saved("mf.ifru.log", log, None)
    assert log["run_id"] == RUN
    other = {"rows": 3}
    hook.before_dataset_saved("ingestion_log", other, None)
    assert "run_id" not in other

    version = catalog.get("mi_train").resolve_load_version()
    assert version is not None
    hook.after_dataset_loaded("mi_train", {"rows": 1}, None)
    hook.after_dataset_loaded("params:seed", 3, None)  # not versioned: not recorded
    assert catalog.load(RUN_PROVENANCE) == {"session_id": RUN, "versions": {"mi_train": version}}


def test_run_ends_by_saying_where_the_report_is(tmp_path, capsys):
    catalog = DataCatalog(
        {"rpt_report_html": TextDataset(filepath=str(tmp_path / "report.html"), version=None)}
    )
    pipeline = Pipeline([Node(identity, RUN_PROVENANCE, "rpt_report_html")])
    hook = ProvenanceHook()
    hook.before_pipeline_run({"run_id": RUN}, pipeline, catalog)
    catalog.save("rpt_report_html", "<html></html>")
    hook.after_pipeline_run({"run_id": RUN}, {}, pipeline, catalog)
    assert f"Report (rpt_report_html): {tmp_path / 'report.html'}" in capsys.readouterr().out
