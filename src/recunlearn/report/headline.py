"""The headline table people read first: one row per method, grouped by family.

Columns: method | family | AUC_0 | completeness (AUC_0; prediction space on the AUC_1
rows and on D_r), each beside whether its gap exceeds the measured seed noise |
RBO@10 | re-predict | seconds | speed-up. Rows: Original, then the ground truth
(Retrain first), influence, fine-tuning and exact methods. Coefficients far outside
[0, 1] get a footnote that says what such a value means.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from recunlearn.models import BACKBONES
from recunlearn.report.provenance import ORIGINAL_FAMILY, report_run_id
from recunlearn.unlearning import METHODS

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
"""Coefficients outside this range get a footnote."""
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


def _noise_verdict(exceeds: float) -> str:
    if math.isnan(exceeds):
        return "noise not measured"
    return "gap > noise" if exceeds else "gap ≤ noise"


def _coefficient_cell(row: pd.Series | None, label: str, notes: list[str]) -> str:
    if row is None or math.isnan(row["value"]):
        return ""
    cell = f"{row['value'] + 0.0:.2f} ({_noise_verdict(row['exceeds_noise'])})"
    low, high = FAR_OUTSIDE
    if row["value"] < low or row["value"] > high:
        meaning = (
            "below 0: the method moved further from Retrain than Original is"
            if row["value"] < 0
            else "above 1: the method overshot Retrain's change"
        )
        if row["exceeds_noise"] == 0:
            meaning += "; the gap is within seed noise, so the ratio magnifies noise"
        name = COEFFICIENT_COLUMNS.get(row["coefficient"], row["coefficient"])
        notes.append(f"{label}, {name}: {row['value']:.3g}; {meaning}.")
        cell += f" [{len(notes)}]"
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
        verdict = _noise_verdict(first["exceeds_noise"])
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


def _speedup_cell(model: str, speedup: float | None) -> str:
    if model == "original":
        return ""
    return "— (other run)" if speedup is None else f"{speedup:.1f}×"


def _label(backbone: str, model: str, values: pd.Series, other_run: bool) -> str:
    label = model_label(backbone, model) + (OTHER_RUN if other_run else "")
    if values.get((model, "selected_on_validation")) == 1:
        label += " (selected on validation)"
    return label


def _headline_row(
    model: str, label: str, values: pd.Series, coeffs: pd.DataFrame, run: pd.Series, notes: list
) -> dict[str, str]:
    """One row of display strings; footnotes for far-out coefficients go to ``notes``."""
    row = {"method": label, "family": run["family"]}
    row["AUC_0"] = _fmt(values.get((model, "auc_0")), 4)
    for name, column in COEFFICIENT_COLUMNS.items():
        match = coeffs[(coeffs["model"] == model) & (coeffs["coefficient"] == name)]
        row[column] = _coefficient_cell(None if match.empty else match.iloc[0], label, notes)
    rbo = _rbo_metric(values)
    row[f"RBO@{(rbo or 'rbo@10').split('@')[1]}"] = _fmt(values.get((model, rbo)), 3)
    row["re-predict"] = _fmt(values.get((model, "repredict")), 3)
    row["seconds"] = _seconds_cell(run)
    row["speed-up"] = _speedup_cell(model, values.get((model, "speedup")))
    return row


def backbone_headline(
    tidy: pd.DataFrame, coefficients: pd.DataFrame, runs: pd.DataFrame, backbone: str
) -> Headline:
    """The headline of one backbone (``tidy``, ``coefficients`` and ``runs`` of every backbone)."""
    values = tidy[tidy["backbone"] == backbone].set_index(["model", "metric"])["value"]
    mine = runs[runs["backbone"] == backbone].set_index("model", drop=False)
    coeffs = coefficients[coefficients["backbone"] == backbone]
    report_run = report_run_id(runs)
    notes: list[str] = []
    rows = []
    for model in ordered_models(mine):
        label = _label(backbone, model, values, mine.loc[model, "run_id"] != report_run)
        rows.append(_headline_row(model, label, values, coeffs, mine.loc[model], notes))
    return Headline(backbone, pd.DataFrame(rows), _caption(coeffs), notes)


def headline_tables(
    tidy: pd.DataFrame, coefficients: pd.DataFrame, runs: pd.DataFrame
) -> list[Headline]:
    """One headline per backbone, in the order the runs table lists them."""
    backbones = list(dict.fromkeys(runs["backbone"]))
    return [backbone_headline(tidy, coefficients, runs, b) for b in backbones]


def headline_frame(headlines: list[Headline]) -> pd.DataFrame:
    """Every backbone's headline in one table (for the catalog and kedro-viz)."""
    frames = [h.table.assign(backbone=h.backbone) for h in headlines]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def headline_markdown(headlines: list[Headline]) -> list[str]:
    """Markdown lines: per backbone a heading, the caption, the table and its footnotes."""
    lines: list[str] = []
    for headline in headlines:
        lines += [f"## {backbone_label(headline.backbone)}", ""]
        lines += [f"{line}  " for line in headline.caption] + [""]
        lines += [headline.table.to_markdown(index=False, disable_numparse=True), ""]
        lines += [f"[{i}] {note}  " for i, note in enumerate(headline.footnotes, start=1)]
        lines += [""] if headline.footnotes else []
    return lines
