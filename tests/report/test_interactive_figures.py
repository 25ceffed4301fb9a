import pytest

from recunlearn.report.interactive_figures import (
    ROW_HEIGHT,
    auc_figure,
    completeness_figure,
    tradeoff_figure,
)
from recunlearn.report.seed_noise import coefficient_table


def traces(figure, name, xaxis):
    return [t for t in figure.data if t.name == name and t.xaxis == xaxis]


def test_auc_within_0_003_of_each_other_stay_apart_in_the_difference_panel(report_inputs):
    tidy, runs = report_inputs
    figure = auc_figure(tidy, runs)
    (difference,) = traces(figure, "AUC_0", "x2")  # MF, right panel
    by_label = dict(zip(difference.y, difference.x, strict=True))
    # Retrain 0.7700, LASER 0.7705, Retrain* 0.7715, IFRU 0.7690: at most 0.0015 apart
    assert by_label["LASER"] == pytest.approx(0.0005)
    assert by_label["IFRU"] == pytest.approx(-0.001)
    low, high = figure.layout.xaxis2.range
    # AltEraser's -0.07 does not set the span: its bar runs to the edge with its value
    assert (by_label["Retrain*"] - by_label["IFRU"]) / (high - low) > 0.04
    text = dict(zip(difference.y, difference.text, strict=True))
    assert text["AltEraser (AH-Newton)"] == "-0.070" and text["IFRU"] == ""
    arrows = [t for t in figure.data if t.name == "beyond the axis" and t.xaxis == "x2"]
    clipped = {(y, x, m) for t in arrows for y, x, m in zip(t.y, t.x, t.marker.symbol, strict=True)}
    assert ("AltEraser (AH-Newton)", -0.02, "triangle-left") in clipped
    assert all(y == "AltEraser (AH-Newton)" for y, _, _ in clipped)  # only the clipped bar


def test_exact_methods_have_no_completeness_point(report_inputs):
    tidy, runs = report_inputs
    figure = completeness_figure(coefficient_table(tidy), runs)
    assert all("LASER" not in t.y for t in figure.data) and "IFRU" in figure.data[0].y


def test_one_row_per_method_and_height_grows_with_methods(report_inputs):
    tidy, runs = report_inputs
    figure = auc_figure(tidy, runs)
    labels = list(figure.layout.yaxis.categoryarray)
    assert len(labels) == len(set(labels)) == 7
    assert "MF · IFRU" not in labels and "IFRU" in labels  # plain names, no tuples
    assert figure.layout.height >= 2 * 7 * ROW_HEIGHT


def test_completeness_far_outside_the_axis_is_an_arrow_with_its_value(report_inputs):
    tidy, runs = report_inputs
    figure = completeness_figure(coefficient_table(tidy), runs)
    (trace,) = traces(figure, "predictions, AUC_1 rows", "x")
    index = list(trace.y).index("AltEraser (AH-Newton)")
    assert trace.x[index] == -1.0 and trace.marker.symbol[index] == "triangle-left"
    assert trace.customdata[index] == pytest.approx(-28.9)


def test_tradeoff_has_one_legend_entry_per_method_and_no_original(report_inputs):
    tidy, runs = report_inputs
    figure = tradeoff_figure(tidy, coefficient_table(tidy), runs)
    legend = [t.name for t in figure.data if t.showlegend]
    assert sorted(legend) == sorted(
        ["Retrain", "Retrain*", "IFRU", "Warm-Start", "AltEraser (AH-Newton)", "LASER"]
    )
    assert len(figure.data) == 12  # six methods, two backbones
    ifru = [t for t in figure.data if t.name == "IFRU"]
    assert ifru[0].marker.color == ifru[1].marker.color and ifru[0].x == (0.5,)
