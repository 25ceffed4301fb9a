from recunlearn.report.headline import headline_markdown, headline_tables
from recunlearn.report.page import markdown_page
from recunlearn.report.provenance import describe_run, drop_cross_run_speedups
from recunlearn.report.seed_noise import coefficient_table
from recunlearn.report.tables import completeness_table, markdown_report


def headlines(report_inputs):
    tidy, runs = report_inputs
    tidy = drop_cross_run_speedups(tidy, runs)
    return tidy, headline_tables(tidy, coefficient_table(tidy), runs)


def test_columns_and_rows_in_family_order_original_and_retrain_first(report_inputs):
    _, (mf, _) = headlines(report_inputs)
    assert list(mf.table.columns) == [
        "method",
        "family",
        "AUC_0",
        "completeness AUC_0",
        "pred. completeness (AUC_1 rows)",
        "pred. completeness (D_r)",
        "RBO@10",
        "re-predict",
        "seconds",
        "speed-up",
    ]
    assert mf.table["method"].tolist() == [
        "MF · Original",
        "MF · Retrain",
        "MF · Retrain*",
        "MF · IFRU",
        "MF · AltEraser (AH-Newton)",  # within a family: the order the grid lists them
        "MF · Warm-Start",
        "MF · LASER",
    ]
    assert mf.table["family"].tolist()[1:] == ["ground truth"] * 2 + ["influence"] + [
        "fine-tuning"
    ] * 2 + ["exact"]


def test_speedups_and_times(report_inputs):
    _, (mf, lightgcn) = headlines(report_inputs)
    table = mf.table.set_index("method")
    assert table.loc["MF · Original", "speed-up"] == ""
    assert table.loc["MF · Retrain", "speed-up"] == "1.0×"
    assert table.loc["MF · IFRU", "speed-up"] == "16.0×"  # 8 s / 0.5 s
    assert table.loc["MF · LASER", "seconds"] == "2.00 (+ 30.00 prepare)"
    stale = lightgcn.table.set_index("method").loc["LightGCN · Warm-Start †"]
    assert stale["speed-up"] == "— (other run)"


def test_coefficients_state_their_gap_against_noise_and_far_values_get_a_footnote(
    report_inputs,
):
    _, (mf, _) = headlines(report_inputs)
    table = mf.table.set_index("method")
    # AUC_0 gap 0.77 - 0.76 = 0.01 > |Retrain* - Retrain| = 0.0015
    assert table.loc["MF · IFRU", "completeness AUC_0"] == "0.90 (gap > noise)"
    assert table.loc["MF · Retrain*", "pred. completeness (AUC_1 rows)"] == "0.80 (gap > noise)"
    far = table.loc["MF · AltEraser (AH-Newton)", "pred. completeness (AUC_1 rows)"]
    assert far.startswith("-28.90 (gap > noise) [")
    assert any("-28.9" in note and "below 0" in note for note in mf.footnotes)
    assert any("+0.0100" in line and "Retrain*" in line for line in mf.caption)


def test_markdown_page_puts_header_and_headline_above_the_full_tables(report_inputs):
    tidy, tables = headlines(report_inputs)
    _, runs = report_inputs
    provenance = describe_run(runs, {"session_id": "s", "versions": {}}, "ml-100k", 1)
    coefficients = coefficient_table(tidy)
    full = markdown_report(tidy, completeness_table(tidy))
    page = markdown_page(provenance, tables, coefficients, full)
    assert page.count("# Unlearning report") == 1
    assert page.index("run id") < page.index("MF · IFRU") < page.index("# Full metric tables")
    assert page.index("# Full metric tables") < page.index("## mf")
    assert "('mf'" not in "\n".join(headline_markdown(tables))


def test_every_registered_method_and_backbone_has_a_plain_label():
    from recunlearn.models import BACKBONES
    from recunlearn.report.headline import backbone_label, method_label
    from recunlearn.unlearning import METHODS

    labels = [method_label(name) for name in ["original", *METHODS]]
    assert labels[:3] == ["Original", "Retrain", "Retrain*"]
    assert all("label" in vars(method) for method in METHODS.values())  # not inherited
    assert len(set(labels)) == len(labels)  # no two columns read alike
    assert [backbone_label(b) for b in BACKBONES] == ["MF", "LightGCN", "DMF", "NeuMF", "ENMF"]
    assert all("label" in vars(backbone) for backbone in BACKBONES.values())
