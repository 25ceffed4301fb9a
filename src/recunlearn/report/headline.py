"""The headline table people read first: one row per method, grouped by family.

Columns: method | family | AUC_0 (with mean ± 95 % CI over seeds when the seeds
benchmark has run) | completeness (AUC_0; prediction space on the AUC_1 rows and on
D_r) | RBO@10 | re-predict | seconds | speed-up per request and with preparation
amortised. Rows: Original, then the ground truth (Retrain first), influence,
fine-tuning and exact methods. Exact methods show "exact" for completeness; a
coefficient whose gap is within seed noise shows "n/s"; the table has one legend line
per mark it uses. Above the table: the verdict (:mod:`recunlearn.report.verdict`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from recunlearn.models import BACKBONES
from recunlearn.report.intervals import seed_interval
from recunlearn.report.provenance import ORIGINAL_FAMILY, report_run_id
from recunlearn.report.verdict import AMORTISED_REQUESTS, seconds_per_request, verdict_lines
from recunlearn.unlearning import EXACT_METHODS, METHODS

FAMILY_ORDER = (ORIGINAL_FAMILY, "ground truth", "influence", "fine-tuning", "exact")
ORIGINAL_LABEL = "Original"
COEFFICIENT_COLUMNS = {
    "auc_0": "completeness AUC_0",
    "pred_auc_1": "pred. completeness (AUC_1 rows)",
    "pred_forget": "pred. completeness (D_r)",
}
COEFFICIENT_NAMES = {
    "auc_0": "AUC_0 (Retrain - Original)",
    "pred_auc_1": "predictions on the AUC_1 rows (RMS p_Original - p_Retrain)",
    "pred_forget": "predictions on D_r (RMS p_Original - p_Retrain)",
}
FAR_OUTSIDE = (-0.5, 1.5)
"""Coefficients outside this range are marked (one legend line says what that means)."""
FAR_MARK = "‡"
LEGEND = {
    "exact": "exact: complete by construction (its ground truth is itself prepared on "
    "D − D_r); judged on utility and cost, no completeness coefficient.",
    "n/s": "n/s: not significant: the coefficient's gap (Retrain − Original) is within the "
    "measured seed noise, so its ratio would only magnify noise.",
    "?": "?: the seed noise of this coefficient's gap was not measured.",
    FAR_MARK: f"{FAR_MARK}: far outside [−0.5, 1.5]: below 0 the method moved further from "
    "Retrain than Original is; above 1 it overshot Retrain's change.",
}
SPEEDUP_LEGEND = (
    "speed-up: Retrain's seconds / the method's, same run, per request; incl. prep.: with "
    "the method's preparation amortised over {requests} requests."
)
OTHER_RUN = " †"


def backbone_label(backbone: str) -> str:
    """``MF``, ``LightGCN``, ..."""
    kind = BACKBONES.get(backbone)
    return kind.label if kind is not None else backbone.upper()


def method_label(model: str) -> str:
    """``IFRU``, ``Retrain*``, ``AltEraser (AH-Newton)``, ..."""
    if model == "original":
        return ORIGINAL_LABEL
    method = METHODS.get(model)
    return method.label if method is not None else model.replace("_", " ").title()


def model_label(backbone: str, model: str) -> str:
    """A plain label such as ``MF · IFRU``."""
    return f"{backbone_label(backbone)} · {method_label(model)}"


@dataclass
class Headline:
    """One backbone's headline: the table (display strings), its caption and footnotes."""

    backbone: str
    table: pd.DataFrame
    caption: list[str] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)
    """The table's legend: one line per mark it uses, not one per cell."""
    verdict: list[str] = field(default_factory=list)
    """The recommendation and the Pareto front (:mod:`recunlearn.report.verdict`)."""


def ordered_models(runs: pd.DataFrame) -> list[str]:
    """Models in family order, Retrain first among the ground truth, else as listed."""
    rank = {family: i for i, family in enumerate(FAMILY_ORDER)}
    keyed = [
        (rank.get(family, len(rank)), model != "retrain", i, model)
        for i, (model, family) in enumerate(zip(runs["model"], runs["family"], strict=True))
    ]
    return [model for *_, model in sorted(keyed)]


def _fmt(value: float | None, digits: int) -> str:
    return "" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def _coefficient_cell(row: pd.Series | None, model: str, marks: set[str]) -> str:
    """``exact`` for an exact method, ``n/s`` within noise, else the value (marked)."""
    if model in EXACT_METHODS:
        marks.add("exact")
        return "exact"
    if row is None or math.isnan(row["value"]):
        return ""
    if row["exceeds_noise"] == 0:
        marks.add("n/s")
        return "n/s"
    cell = f"{row['value'] + 0.0:.2f}"
    if math.isnan(row["exceeds_noise"]):
        marks.add("?")
        cell += " ?"
    low, high = FAR_OUTSIDE
    if row["value"] < low or row["value"] > high:
        marks.add(FAR_MARK)
        cell += f" {FAR_MARK}"
    return cell


def _seconds_cell(runs_row: pd.Series) -> str:
    cell = _fmt(runs_row["seconds"], 2)
    if not math.isnan(runs_row["prepare_seconds"]):
        cell += f" (+ {runs_row['prepare_seconds']:.2f} prepare)"
    return cell


def _caption(coefficients: pd.DataFrame) -> list[str]:
    lines = []
    for name, text in COEFFICIENT_NAMES.items():
        rows = coefficients[(coefficients["coefficient"] == name)]
        if rows.empty:
            continue
        first = rows.iloc[0]
        verdict = {1.0: "gap > noise", 0.0: "gap ≤ noise: n/s"}.get(
            first["exceeds_noise"], "noise not measured"
        )
        lines.append(
            f"Gap of {text}: {first['gap']:+.4f}; seed noise "
            f"{_fmt(first['noise'], 4)} ({first['noise_source']}): {verdict}."
        )
    return lines


def _rbo_metric(values: pd.Series) -> str | None:
    names = [m for m in values.index.get_level_values(1).unique() if m.startswith("rbo@")]
    if "rbo@10" in names:
        return "rbo@10"
    return min(names, key=lambda m: int(m.split("@")[1]), default=None)


def _speedup_cells(model: str, values: pd.Series, run: pd.Series, retrain: float, n: int):
    """(per request, with preparation amortised over ``n`` requests)."""
    speedup = values.get((model, "speedup"))
    if model == "original":
        return "", ""
    if speedup is None or math.isnan(speedup):
        return "— (other run)", "— (other run)"
    amortised = retrain / seconds_per_request(run["seconds"], run["prepare_seconds"], n)
    return f"{speedup:.1f}×", f"{amortised:.1f}×"


def _label(backbone: str, model: str, values: pd.Series, other_run: bool) -> str:
    label = model_label(backbone, model) + (OTHER_RUN if other_run else "")
    if values.get((model, "selected_on_validation")) == 1:
        label += " (selected on validation)"
    return label


def _auc_cell(values: pd.Series, spread: pd.DataFrame, backbone: str, model: str) -> str:
    """The run's AUC_0, beside its mean ± 95 % CI over seeds when ``bmk_seeds`` has it."""
    cell = _fmt(values.get((model, "auc_0")), 4)
    interval = seed_interval(spread, backbone, model, "auc_0")
    if interval is not None:
        mean, half, count = interval
        cell += f" ({mean:.4f} ± {half:.4f}, {count} seeds)"
    return cell


@dataclass
class _Context:
    backbone: str
    values: pd.Series
    coeffs: pd.DataFrame
    spread: pd.DataFrame
    retrain_seconds: float
    requests: int
    marks: set[str] = field(default_factory=set)


def _headline_row(model: str, label: str, run: pd.Series, ctx: _Context) -> dict[str, str]:
    """One row of display strings; the marks it uses go to ``ctx.marks``."""
    values, coeffs = ctx.values, ctx.coeffs
    row = {"method": label, "family": run["family"]}
    row["AUC_0"] = _auc_cell(values, ctx.spread, ctx.backbone, model)
    for name, column in COEFFICIENT_COLUMNS.items():
        match = coeffs[(coeffs["model"] == model) & (coeffs["coefficient"] == name)]
        row[column] = _coefficient_cell(None if match.empty else match.iloc[0], model, ctx.marks)
    rbo = _rbo_metric(values)
    row[f"RBO@{(rbo or 'rbo@10').split('@')[1]}"] = _fmt(values.get((model, rbo)), 3)
    row["re-predict"] = _fmt(values.get((model, "repredict")), 3)
    row["seconds"] = _seconds_cell(run)
    per_request, amortised = _speedup_cells(model, values, run, ctx.retrain_seconds, ctx.requests)
    row["speed-up"] = per_request
    row[f"speed-up incl. prep. (÷{ctx.requests})"] = amortised
    return row


def _legend(marks: set[str], requests: int) -> list[str]:
    """One legend line per mark the table uses, then the speed-up columns."""
    lines = [LEGEND[mark] for mark in LEGEND if mark in marks]
    lines.append(SPEEDUP_LEGEND.format(requests=requests))
    return lines


def backbone_headline(
    tidy: pd.DataFrame,
    coefficients: pd.DataFrame,
    runs: pd.DataFrame,
    backbone: str,
    spread: pd.DataFrame | None = None,
    requests: int = AMORTISED_REQUESTS,
) -> Headline:
    """The headline of one backbone (``tidy``, ``coefficients`` and ``runs`` of every backbone;
    ``spread``: the ``bmk_seeds`` table, empty before the seeds benchmark has run)."""
    values = tidy[tidy["backbone"] == backbone].set_index(["model", "metric"])["value"]
    mine = runs[runs["backbone"] == backbone].set_index("model", drop=False)
    coeffs = coefficients[coefficients["backbone"] == backbone]
    retrain = float(mine.loc["retrain", "seconds"]) if "retrain" in mine.index else float("nan")
    spread = pd.DataFrame() if spread is None else spread
    ctx = _Context(backbone, values, coeffs, spread, retrain, requests)
    report_run = report_run_id(runs)
    rows = []
    for model in ordered_models(mine):
        label = _label(backbone, model, values, mine.loc[model, "run_id"] != report_run)
        rows.append(_headline_row(model, label, mine.loc[model], ctx))
    same_run = mine[mine["run_id"] == report_run]
    verdict = verdict_lines(values, coeffs, same_run, requests, method_label)
    return Headline(
        backbone, pd.DataFrame(rows), _caption(coeffs), _legend(ctx.marks, requests), verdict
    )


def headline_tables(
    tidy: pd.DataFrame,
    coefficients: pd.DataFrame,
    runs: pd.DataFrame,
    spread: pd.DataFrame | None = None,
    requests: int = AMORTISED_REQUESTS,
) -> list[Headline]:
    """One headline per backbone, in the order the runs table lists them."""
    backbones = list(dict.fromkeys(runs["backbone"]))
    return [backbone_headline(tidy, coefficients, runs, b, spread, requests) for b in backbones]


def headline_frame(headlines: list[Headline]) -> pd.DataFrame:
    """Every backbone's headline in one table (for the catalog and kedro-viz)."""
    frames = [h.table.assign(backbone=h.backbone) for h in headlines]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def headline_section(headline: Headline) -> list[str]:
    """Markdown lines of one backbone: its heading, verdict, caption, table and legend."""
    lines = [f"## {backbone_label(headline.backbone)}", ""]
    lines += [f"{line}  " for line in headline.verdict] + [""]
    lines += [f"{line}  " for line in headline.caption] + [""]
    lines += [headline.table.to_markdown(index=False, disable_numparse=True), ""]
    lines += [f"{note}  " for note in headline.footnotes]
    return lines + [""]


def headline_markdown(headlines: list[Headline]) -> list[str]:
    """Markdown lines: every backbone's section (:func:`headline_section`)."""
    return [line for headline in headlines for line in headline_section(headline)]
