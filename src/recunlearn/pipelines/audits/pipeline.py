"""Audits: per backbone, one node reads every model of the grid (Original, Retrain, each
method, as the evaluation pipeline does) and writes ``rpt_audit_{backbone}`` (population attack, behavioural check) and another
``rpt_lira_{backbone}`` (the likelihood-ratio attack; empty when
``audits.lira.references`` is 0; user-level rows too for a ``user_wise`` request with
``audits.user_pool`` users held out in ``prm_audit_pool``); one node writes the report's audit
section: ``rpt_audit_md``, the figure ``rpt_audit_tpr_plotly`` and the HTML fragment
``rpt_audit_section`` that the main report (``rpt_report_html``) embeds."""

from kedro.pipeline import Node, Pipeline

from recunlearn.grid import GridConfig
from recunlearn.pipelines.audits.nodes import audit_backbone, build_audit_report, lira_backbone
from recunlearn.pipelines.evaluation.pipeline import model_names
from recunlearn.pipelines.grid import methods_on
from recunlearn.pipelines.node_binding import bound

SHARED_INPUTS = {
    "marked": "mi_train",
    "test": "prm_test",
    "audits": "params:audits",
    "poisoning": "params:poisoning",
    "runtime": "params:runtime",
    "seed": "params:seed",
}


def backbone_audit(backbone: str, names: list[str]) -> Node:
    """The audit node of ``backbone`` over the models ``names`` (with the side tables)."""
    models = {name: f"{backbone}.{name}.model" for name in names}
    side = {"genres": "int_item_genres", "groups": "int_user_groups"}
    return Node(
        bound(audit_backbone, backbone=backbone),
        SHARED_INPUTS | side | models,
        f"rpt_audit_{backbone}",
        name="audit",
        namespace=f"{backbone}.audits",
    )


def backbone_lira(backbone: str, names: list[str]) -> Node:
    """The likelihood-ratio attack of ``backbone`` over the models ``names`` (its reference
    models train like Original: its resolved config, its best epoch count)."""
    inputs = SHARED_INPUTS | {
        "train_config": f"{backbone}.original.train_config",
        "original_log": f"{backbone}.original.log",
        "pool_users": "prm_audit_pool",
    }
    return Node(
        bound(lira_backbone, backbone=backbone),
        inputs | {name: f"{backbone}.{name}.model" for name in names},
        f"rpt_lira_{backbone}",
        name="lira",
        namespace=f"{backbone}.audits",
    )


def create_pipeline(grid: GridConfig, **kwargs) -> Pipeline:
    nodes = []
    for backbone in grid.backbones:
        names = model_names(methods_on(backbone, grid.methods))
        nodes += [backbone_audit(backbone, names), backbone_lira(backbone, names)]
    report = Node(
        build_audit_report,
        ["params:audits"]
        + [f"rpt_audit_{backbone}" for backbone in grid.backbones]
        + [f"rpt_lira_{backbone}" for backbone in grid.backbones],
        ["rpt_audit_md", "rpt_audit_tpr_plotly", "rpt_audit_section"],
        name="build_audit_report",
    )
    return Pipeline([*nodes, report])
