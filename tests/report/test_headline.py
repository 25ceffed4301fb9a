import pandas as pd

from recunlearn.report.headline import COEFFICIENT_COLUMNS, headline_markdown, headline_tables
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
        "speed-up incl. prep. (÷10)",
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
    assert table.loc["MF · LASER", "speed-up"] == "4.0×"  # 8 s / 2 s
    assert table.loc["MF · LASER", "speed-up incl. prep. (÷10)"] == "1.6×"  # 8 / (2 + 30/10)
    assert table.loc["MF · IFRU", "speed-up incl. prep. (÷10)"] == "16.0×"  # nothing prepared
    assert any("amortised over 10 requests" in line for line in mf.footnotes)
    stale = lightgcn.table.set_index("method").loc["LightGCN · Warm-Start †"]
    assert stale["speed-up"] == "— (other run)"


def test_coefficients_beyond_noise_print_a_number_and_far_values_one_legend_line(
    report_inputs,
):
    _, (mf, _) = headlines(report_inputs)
    table = mf.table.set_index("method")
    # AUC_0 gap 0.77 - 0.76 = 0.01 > |Retrain* - Retrain| = 0.0015
    assert table.loc["MF · IFRU", "completeness AUC_0"] == "0.90"
    assert table.loc["MF · Retrain*", "pred. completeness (AUC_1 rows)"] == "0.80"
    far = table.loc["MF · AltEraser (AH-Newton)", "pred. completeness (AUC_1 rows)"]
    assert far == "-28.90 ‡"
    assert sum("‡" in line and "below 0" in line for line in mf.footnotes) == 1
    assert not any("n/s" in line for line in mf.footnotes)  # no mark used, no legend line
    assert any("+0.0100" in line and "Retrain*" in line for line in mf.caption)


def test_exact_methods_show_exact_and_never_a_completeness_number(report_inputs):
    _, (mf, _) = headlines(report_inputs)
    laser = mf.table.set_index("method").loc["MF · LASER"]
    for column in COEFFICIENT_COLUMNS.values():
        assert laser[column] == "exact"
    assert sum(line.startswith("exact:") for line in mf.footnotes) == 1


def test_a_coefficient_whose_gap_is_within_noise_prints_ns(report_inputs):
    tidy, runs = report_inputs
    star = (tidy["model"] == "retrain_star") & (tidy["metric"] == "auc_0")
    tidy = tidy.assign(value=tidy["value"].mask(star, 0.7850))  # noise 0.015 > gap 0.01
    _, (mf, _) = headlines((tidy, runs))
    table = mf.table.set_index("method")
    assert table.loc["MF · IFRU", "completeness AUC_0"] == "n/s"
    assert table.loc["MF · IFRU", "pred. completeness (D_r)"] == "0.60"  # its gap > noise
    assert sum(line.startswith("n/s:") for line in mf.footnotes) == 1


def test_the_verdict_names_the_fastest_method_within_noise_and_the_pareto_front(
    report_inputs,
):
    _, (mf, _) = headlines(report_inputs)
    # Within AUC_0 noise 0.0015 of Retrain's 0.77: IFRU (0.769) and LASER (0.7705); IFRU's
    # prediction distance on D_r 0.04 > noise 0.02, LASER is exact: LASER. Warm-Start is
    # dominated by IFRU, Retrain by LASER (5 s per request: 2 + 30 / 10).
    assert mf.verdict[0].startswith("**Verdict: LASER**")
    assert mf.verdict[1].endswith("AltEraser (AH-Newton) (0.2 s), IFRU (0.5 s), LASER (5 s).")


def test_the_verdict_says_retrain_when_nothing_is_within_noise(report_inputs):
    tidy, runs = report_inputs
    laser = (tidy["model"] == "laser") & (tidy["metric"] == "auc_0")
    _, (mf, _) = headlines((tidy.assign(value=tidy["value"].mask(laser, 0.74)), runs))
    assert mf.verdict[0].startswith("**Verdict: none: retrain**")


def test_mean_and_ci_over_seeds_stand_beside_the_runs_value(report_inputs):
    tidy, runs = report_inputs
    spread = pd.DataFrame(
        [["mf", "laser", "auc_0", 0.77, 0.001, 5]],
        columns=["backbone", "model", "metric", "mean", "std", "count"],
    )
    tidy = drop_cross_run_speedups(tidy, runs)
    mf = headline_tables(tidy, coefficient_table(tidy, spread), runs, spread)[0]
    # t(0.975, 4) = 2.776; 2.776 * 0.001 / sqrt(5) = 0.00124
    assert mf.table.set_index("method").loc["MF · LASER", "AUC_0"] == (
        "0.7705 (0.7700 ± 0.0012, 5 seeds)"
    )


def test_markdown_page_puts_header_and_headline_above_the_full_tables(report_inputs):
    tidy, tables = headlines(report_inputs)
    _, runs = report_inputs
    provenance = describe_run(runs, {"session_id": "s", "versions": {}}, "ml-100k", 1)
    coefficients = coefficient_table(tidy)
    full = markdown_report(tidy, completeness_table(tidy), per_backbone=False)
    page = markdown_page(provenance, tables, coefficients, full, tidy)
    assert page.count("# Unlearning report") == 1
    assert page.index("run id") < page.index("**Verdict") < page.index("MF · IFRU")
    assert page.index("MF · IFRU") < page.index("# Full metric tables")
    assert page.count("## MF\n") == 1 and "## mf" not in page  # one section per backbone
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
