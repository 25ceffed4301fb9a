import math

import numpy as np
import pandas as pd
import pytest
import torch

from recunlearn.evaluation.metrics import (
    active_users,
    activity_ndcg,
    evaluate_model,
    repredict_score,
)
from recunlearn.models import build_backbone
from recunlearn.models.config import LightGCNConfig, TrainConfig
from recunlearn.report.tables import (
    completeness_table,
    markdown_report,
    tidy_metrics,
    with_speedup,
)


@pytest.fixture
def model_and_data(interactions):
    model = build_backbone(
        "mf",
        24,
        18,
        TrainConfig(embedding_dim=4, init_std=0.5),
        interactions,
        torch.Generator().manual_seed(0),
    )
    train, test = interactions.iloc[::2].assign(forget=False), interactions.iloc[1::2]
    train.loc[train.index[:5], "forget"] = True
    return model, train, test, train[train["forget"]]


def test_model_against_itself_has_rbo_one(model_and_data):
    model, train, test, forget = model_and_data
    metrics = evaluate_model(model, model, train, test, forget, ks=(5, 10))
    assert metrics["rbo@5"] == pytest.approx(1.0) and metrics["rbo@10"] == pytest.approx(1.0)
    assert {
        "auc_0",
        "auc_1",
        "auc_2",
        "recall@5",
        "ndcg@10",
        "forget_recall@5",
        "repredict",
    } <= set(metrics)


def test_empty_forget_set_gives_nan_not_a_crash(model_and_data):
    model, train, test, forget = model_and_data
    metrics = evaluate_model(
        model, model, train.assign(forget=False), test, forget.iloc[0:0], ks=(5,)
    )
    assert (
        math.isnan(metrics["repredict"])
        and math.isnan(metrics["rbo@5"])
        and math.isnan(metrics["auc_1"])
    )


def test_repredict_is_the_mean_probability(model_and_data):
    model, _, _, forget = model_and_data
    logits = model(
        torch.as_tensor(forget["user"].to_numpy(copy=True)),
        torch.as_tensor(forget["item"].to_numpy(copy=True)),
    )
    assert repredict_score(model, forget) == pytest.approx(
        float(torch.sigmoid(logits).mean().detach()), rel=1e-6
    )


def test_completeness_table_and_markdown():
    tidy = tidy_metrics(
        {
            "original": {"auc_0": 0.7, "auc_1": 0.6},
            "retrain": {"auc_0": 0.8, "auc_1": 0.6},
            "x": {"auc_0": 0.75, "auc_1": 0.61},
        },
        "mf",
    )
    table = completeness_table(tidy).set_index(["model", "metric"])
    assert table.loc[("x", "auc_0"), "completeness"] == pytest.approx(0.5)
    assert table.loc[("x", "auc_0"), "gap"] == pytest.approx(0.1)
    assert np.isnan(table.loc[("x", "auc_1"), "completeness"])  # zero gap
    text = markdown_report(tidy, completeness_table(tidy))
    assert "## mf" in text and "0.7500" in text


def test_tidy_metrics_columns():
    tidy = tidy_metrics({"original": {"auc_0": 0.5}}, "lightgcn")
    assert list(tidy.columns) == ["backbone", "model", "metric", "value"]
    assert isinstance(tidy, pd.DataFrame) and tidy.iloc[0]["backbone"] == "lightgcn"


def test_markdown_labels_results_selected_on_validation():
    tidy = tidy_metrics(
        {"original": {"auc_0": 0.7}, "retrain": {"auc_0": 0.8}, "ifru": {"auc_0": 0.78}},
        "mf",
    )
    assert "Selected on validation" not in markdown_report(tidy, completeness_table(tidy))
    labelled = pd.concat(
        [tidy, tidy_metrics({"ifru": {"selected_on_validation": 1.0}}, "mf")], ignore_index=True
    )
    assert "Selected on validation data** (not a pure unlearning result): mf.ifru" in (
        markdown_report(labelled, completeness_table(labelled))
    )


def test_active_users_are_the_top_five_percent_by_training_rows():
    rows = pd.DataFrame({"user": [7] * 5 + [3] * 5 + list(range(10, 48)), "item": 0})
    # 40 users: ceil(0.05 * 40) = 2 active; users 3 and 7 tie at 5 rows, both above the rest
    assert active_users(rows).tolist() == [3, 7]
    # user 7 down to 1 row: user 3 first, then the lowest id among the 1-row users
    assert active_users(rows.iloc[4:]).tolist() == [3, 7]
    # user 7 gone: 39 users, ceil(1.95) = 2 active
    assert active_users(rows.iloc[5:]).tolist() == [3, 10]


def test_activity_ndcg_splits_users_by_activity_on_a_hand_worked_ranking():
    top = torch.tensor([[4, 1, 2], [9, 5, 6], [8, 7, 3]])
    test = pd.DataFrame({"user": [0, 1, 2, 2], "item": [4, 5, 0, 7], "label": [1, 1, 1, 0]})
    active = np.array([True, False, False])
    values = activity_ndcg(top, np.array([0, 1, 2]), test, active, ks=[2])
    assert values["active_ndcg@2"] == pytest.approx(1.0)  # hit at rank 1
    # inactive: user 1 hits at rank 2 (1 / log2 3), user 2 misses: mean 0.5 / log2(3)
    assert values["inactive_ndcg@2"] == pytest.approx(0.5 / math.log2(3))


def test_evaluate_model_reports_active_and_inactive_ndcg(model_and_data):
    model, train, test, forget = model_and_data
    metrics = evaluate_model(model, None, train, test, forget, ks=(5,))
    assert {"active_ndcg@5", "inactive_ndcg@5"} <= set(metrics)


def test_markdown_has_the_auc_table_and_the_time_and_fairness_table():
    values = {
        "original": {"auc_0": 0.70, "auc_1": 0.69, "auc_2": 0.68, "active_ndcg@20": 0.3},
        "retrain": {"auc_0": 0.72, "auc_1": 0.71, "auc_2": 0.70, "seconds": 10.0},
        "sisa": {"auc_0": 0.60, "seconds": 10.0, "shards_retrained": 10.0},
        "warm_start": {"auc_0": 0.71, "seconds": 2.0, "inactive_ndcg@20": 0.1},
    }
    tidy = with_speedup(tidy_metrics(values, "mf"))
    text = markdown_report(tidy, completeness_table(tidy))
    table2 = text.split("(IFRU Table 2)")[1].split("##")[0]
    header = table2.strip().splitlines()[0]
    assert header.index("mf original") < header.index("mf retrain") < header.index("mf sisa")
    assert "warm_start" not in table2 and "0.6000" in table2
    table3 = text.split("(IFRU Table 3")[1]
    assert "shards_retrained" in table3 and "active_ndcg@20" in table3
    row = next(line for line in table3.splitlines() if "mf warm_start" in line)
    assert [cell.strip() for cell in row.strip("|").split("|")] == [
        "mf warm_start",
        "2",
        "5",  # speed-up: Retrain's 10 s / 2 s
        "nan",
        "nan",
        "0.1",
    ]


def test_degenerate_figures_get_a_note_and_a_warning(caplog):
    tidy = tidy_metrics(
        {
            "original": {"auc_0": 0.7, "auc_1": 0.6, "auc_2": float("nan")},
            "retrain": {"auc_0": 0.7, "auc_1": 0.65, "auc_2": float("nan")},
            "ifru": {"auc_0": 0.75, "auc_1": float("nan"), "auc_2": float("nan")},
        },
        "mf",
    )
    with caplog.at_level("WARNING", logger="recunlearn.report.tables"):
        text = markdown_report(tidy, completeness_table(tidy))
    notes = [
        "mf: AUC_1 is NaN for ifru: its test subset has no rows or a single class "
        "(the log says which), so its completeness is undefined.",
        "mf: AUC_2 is NaN for every model: its test subset has no rows or a single class "
        "(the log says which), so its completeness is undefined.",
        "mf: completeness on AUC_0 is undefined: Retrain and Original differ by 0, below 1e-06.",
    ]
    assert text.split("## Notes\n\n")[1].splitlines() == [f"- {note}" for note in notes]
    assert caplog.messages == notes


def test_a_report_without_degenerate_figures_has_no_notes(caplog):
    tidy = tidy_metrics({"original": {"auc_0": 0.7}, "retrain": {"auc_0": 0.8}}, "mf")
    with caplog.at_level("WARNING"):
        assert "## Notes" not in markdown_report(tidy, completeness_table(tidy))
    assert caplog.messages == []


@pytest.mark.gpu
def test_metrics_on_cuda_equal_the_cpu_ones(model_and_data):
    if not torch.cuda.is_available():
        pytest.skip("CUDA is not available")
    model, train, test, forget = model_and_data
    reference = build_backbone(
        "lightgcn",
        24,
        18,
        LightGCNConfig(embedding_dim=4, init_std=0.5, n_layers=1),
        train,
        torch.Generator().manual_seed(1),
    )
    on_cpu = evaluate_model(model, reference, train, test, forget, ks=(5, 10))
    on_cuda = evaluate_model(model, reference, train, test, forget, ks=(5, 10), device="cuda")
    assert model.device.type == "cuda" and reference.device.type == "cuda"
    assert on_cuda == pytest.approx(on_cpu, rel=1e-6, abs=1e-9, nan_ok=True)
