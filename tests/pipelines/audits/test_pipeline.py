"""The audits pipeline in memory: a table per backbone over every model, and its section."""

from __future__ import annotations

from recunlearn.pipelines import audits, ingestion, poisoning, training, tuning, unlearning

from ..conftest import grid, run_pipeline, tiny_parameters

METHODS = ["retrain", "warm_start"]


def audited(raw_ratings, params=None):
    cells = grid(backbones=["mf"], methods=METHODS)
    pipeline = (
        ingestion.create_pipeline()
        + poisoning.create_pipeline()
        + tuning.create_pipeline(cells)
        + training.create_pipeline(cells)
        + unlearning.create_pipeline(cells)
        + audits.create_pipeline(cells)
    )
    return run_pipeline(pipeline, {"raw_ratings": raw_ratings}, params)


def test_audit_table_per_model_with_population_attack_and_poison_check(raw_ratings):
    out = audited(raw_ratings)
    table = out["rpt_audit_mf"].set_index("model")
    assert list(table.index) == ["original", *METHODS]
    assert table["population_auc"].between(0, 1).all()
    assert table["poison_agreement"].between(0, 1).all()
    # Original trained on the flipped labels, Retrain never saw them
    assert table.loc["original", "poison_agreement"] > table.loc["retrain", "poison_agreement"]
    assert out["rpt_lira_mf"].empty  # tiny_parameters switch LiRA off (references: 0)
    assert "## Audits of forgetting" in out["rpt_audit_md"]
    assert "poison_agreement vs Retrain" in out["rpt_audit_md"]


def test_noise_injection_reports_fake_exposure(raw_ratings):
    params = tiny_parameters()
    params["poisoning"] = params["poisoning"] | {"kind": "noise_injection"}
    params["audits"] = {"population": False, "k": 5}
    table = audited(raw_ratings, params)["rpt_audit_mf"].set_index("model")
    assert "population_auc" not in table and "poison_agreement" not in table
    assert table["fake_share"].between(0, 1).all()


def test_lira_scores_every_model_with_both_scores_and_the_report_shows_its_power(raw_ratings):
    params = tiny_parameters()
    params["audits"] = {"population": False, "k": 5, "lira": {"references": 4, "epochs": 3}}
    out = audited(raw_ratings, params)
    lira = out["rpt_lira_mf"]
    assert set(zip(lira["model"], lira["score"], strict=True)) == {
        (model, score) for model in ("original", *METHODS) for score in ("tail", "ratio")
    }
    assert lira["auc"].between(0, 1).all() and (lira["reference_seconds"] > 0).all()
    assert (lira["n_members"] == lira["n_non_members"]).all()
    assert "Audit power: auc: Original" in out["rpt_audit_md"]


def test_lira_leaves_out_a_backbone_without_a_per_row_loss():
    from recunlearn.pipelines.audits.nodes import lira_backbone

    empty = lira_backbone(
        backbone="enmf",
        marked=None,
        test=None,
        audits={"lira": {"references": 4}},
        poisoning={},
        runtime={},
        seed=0,
        train_config={},
        original_log={},
    )
    assert empty.empty


def test_category_request_reports_the_genre_share_and_every_run_the_group_ndcg(raw_ratings):
    params = tiny_parameters()
    params["poisoning"] = params["poisoning"] | {"kind": "category", "genre": "Horror"}
    out = audited(raw_ratings, params)
    table = out["rpt_audit_mf"].set_index("model")
    assert table["genre_share"].between(0, 1).all()
    assert {"ndcg@5 gender=F", "ndcg@5 gender=M", "gender_gap", "age_band_gap"} <= set(table)
    assert table.loc["original", "gender_gap_change"] == 0.0
    assert "genre_share vs Retrain" in out["rpt_audit_md"]
    assert "Demographic fairness" in out["rpt_audit_md"]


def test_a_whole_user_request_with_an_audit_pool_gets_user_level_lira(raw_ratings):
    params = tiny_parameters()
    params["poisoning"] = params["poisoning"] | {"kind": "user_wise", "percent": 10.0}
    params["audits"] = {"population": False, "k": 5, "user_pool": 4}
    params["audits"]["lira"] = {"references": 4, "epochs": 3}
    out = audited(raw_ratings, params)
    held = set(out["prm_audit_pool"]["user"])
    assert len(held) == 4
    for name in ("prm_train", "prm_valid", "prm_test", "mi_train", "mi_retain"):
        assert not held & set(out[name]["user"]), name  # no model trains on the pool
    lira = out["rpt_lira_mf"]
    users = lira[lira["level"] == "user"]
    assert set(users["model"]) == {"original", *METHODS}
    assert (users["n_non_members"] == 4).all()
    assert (users["n_members"] == out["mi_forget"]["user"].nunique()).all()
    assert set(lira["level"]) == {"row", "user"}
    assert "user level: " in out["rpt_audit_md"]
    assert "audit-pool users" in out["rpt_audit_section"]["html"]
