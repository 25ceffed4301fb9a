"""IFRU experiments of the paper, on the catalog's latest split (run `kedro run` first).

- ``ratio``: D_r ratios {0.025, 0.05, 0.1, 1, 2, 4, 8}% of label flips: unlearning time,
  Retrain time (same run), AUC_0 / AUC_1 of Original, Retrain and IFRU (Table 3, Fig. 5).
- ``spillover``: LightGCN IFRU with and without spillover, completeness (Fig. 6).
- ``pruning``: pruning ratios (a_0, a_1) from (1, 1) down to (0.2, 0): AUC_0 and time (Fig. 7).
- ``harmless``: an empty D_r: IFRU and SCIF must return Original's parameters (Fig. 4).

Each writes a versioned table ``bmk_ifru_<name>`` and a plot ``bmk_ifru_<name>_plot``.
Usage: ``python benchmarks/influence_sweeps.py [ratio spillover pruning harmless]``
"""

from __future__ import annotations

import argparse
import logging
import time

import matplotlib

matplotlib.use("Agg")
import kedro_runs  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402

from recunlearn.data.requests import flip_labels  # noqa: E402
from recunlearn.evaluation.auc import auc_variants  # noqa: E402
from recunlearn.evaluation.completeness import completeness  # noqa: E402
from recunlearn.models import (
    backbone_config,
    build_backbone,  # noqa: E402
)
from recunlearn.predictions import score_rows  # noqa: E402
from recunlearn.seeding import numpy_rng  # noqa: E402
from recunlearn.training import train_model  # noqa: E402
from recunlearn.unlearning import METHODS, PrepareContext, UnlearningRequest  # noqa: E402
from recunlearn.unlearning.retrain import training_streams  # noqa: E402

logger = logging.getLogger("benchmarks.influence_sweeps")
RATIOS = [0.00025, 0.0005, 0.001, 0.01, 0.02, 0.04, 0.08]
PRUNING = [
    (1.0, 1.0),
    (1.0, 0.8),
    (1.0, 0.6),
    (1.0, 0.4),
    (1.0, 0.2),
    (1.0, 0.0),
    (0.8, 0.0),
    (0.6, 0.0),
    (0.4, 0.0),
    (0.2, 0.0),
]


class Setting:
    """The catalog's split, sizes, seed and per-backbone training configs."""

    def __init__(self) -> None:
        catalog = kedro_runs.catalog()
        self.catalog = catalog
        self.train, self.valid, self.test = (
            catalog.load(f"prm_{p}") for p in ("train", "valid", "test")
        )
        interactions = catalog.load("int_interactions")
        self.n_users, self.n_items = (
            int(interactions["user"].max()) + 1,
            int(interactions["item"].max()) + 1,
        )
        self.seed = catalog.load("params:seed")
        self.methods = catalog.load("params:unlearning")
        self.configs = {
            b: backbone_config(b, catalog.load(f"{b}.original.train_config"))
            for b in ("mf", "lightgcn")
        }

    def request(self, ratio: float) -> pd.DataFrame:
        return flip_labels(self.train, ratio, numpy_rng(self.seed, "poisoning", "label_flip"))

    def fit(self, backbone: str, rows: pd.DataFrame):
        cfg = self.configs[backbone]
        init, batches = training_streams(self.seed, backbone)
        model = build_backbone(
            backbone,
            self.n_users,
            self.n_items,
            cfg,
            rows,
            init,
        )
        start = time.perf_counter()
        train_model(model, rows, self.valid, cfg, batches)
        return model, time.perf_counter() - start

    def auc(self, model, forget: pd.DataFrame) -> dict[str, float]:
        return auc_variants(self.test, score_rows(model, self.test), forget)

    def unlearn(self, name: str, backbone: str, original, marked: pd.DataFrame, **overrides):
        request = UnlearningRequest(original, marked, self.valid, self.configs[backbone], self.seed)
        method = METHODS[name](dict(self.methods.get(name, {})) | overrides)
        state = method.prepare(PrepareContext.of(request))  # on D, before the request (timed apart)
        start = time.perf_counter()
        outcome = method.unlearn(state, request)
        return outcome, time.perf_counter() - start


def ratio_sweep(s: Setting) -> pd.DataFrame:
    rows = []
    for backbone in ("mf", "lightgcn"):
        for ratio in RATIOS:
            marked = s.request(ratio)
            forget = marked[marked["forget"]]
            original, _ = s.fit(backbone, marked)
            retrain, retrain_seconds = s.fit(backbone, marked[~marked["forget"]])
            outcome, seconds = s.unlearn("ifru", backbone, original, marked)
            values = {
                name: s.auc(m, forget)
                for name, m in (
                    ("original", original),
                    ("retrain", retrain),
                    ("ifru", outcome.model),
                )
            }
            for metric in ("auc_0", "auc_1"):
                rows.append(
                    {
                        "backbone": backbone,
                        "ratio_percent": 100 * ratio,
                        "forget_rows": len(forget),
                        "metric": metric,
                        **{name: v[metric] for name, v in values.items()},
                        "completeness": completeness(
                            values["ifru"][metric],
                            values["original"][metric],
                            values["retrain"][metric],
                        ),
                        "ifru_seconds": seconds,
                        "retrain_seconds": retrain_seconds,
                        "speedup": retrain_seconds / seconds,
                    }
                )
    return pd.DataFrame(rows)


def spillover_ablation(s: Setting) -> pd.DataFrame:
    marked = s.request(0.02)
    forget = marked[marked["forget"]]
    original, _ = s.fit("lightgcn", marked)
    retrain, _ = s.fit("lightgcn", marked[~marked["forget"]])
    base, reference = s.auc(original, forget), s.auc(retrain, forget)
    rows = []
    for spillover in (True, False):
        outcome, seconds = s.unlearn("ifru", "lightgcn", original, marked, spillover=spillover)
        value = s.auc(outcome.model, forget)
        for metric in ("auc_0", "auc_1"):
            rows.append(
                {
                    "spillover": spillover,
                    "metric": metric,
                    "value": value[metric],
                    "seconds": seconds,
                    "completeness": completeness(value[metric], base[metric], reference[metric]),
                }
            )
    return pd.DataFrame(rows)


def pruning_sweep(s: Setting) -> pd.DataFrame:
    marked = s.request(0.02)
    forget = marked[marked["forget"]]
    rows = []
    for backbone in ("mf", "lightgcn"):
        original, _ = s.fit(backbone, marked)
        for ratios in PRUNING:
            outcome, seconds = s.unlearn(
                "ifru", backbone, original, marked, pruning_ratios={"default": list(ratios)}
            )
            rows.append(
                {
                    "backbone": backbone,
                    "a0": ratios[0],
                    "a1": ratios[1],
                    "auc_0": s.auc(outcome.model, forget)["auc_0"],
                    "seconds": seconds,
                    "params_moved": outcome.log["params_moved"],
                }
            )
    return pd.DataFrame(rows)


def harmlessness(s: Setting) -> pd.DataFrame:
    marked = s.train.assign(forget=False)
    rows = []
    for backbone in ("mf", "lightgcn"):
        original, _ = s.fit(backbone, marked)
        for name in ("ifru", "scif"):
            outcome, _ = s.unlearn(name, backbone, original, marked)
            same = all(
                torch.equal(outcome.model.state_dict()[k], v)
                for k, v in original.state_dict().items()
            )
            rows.append(
                {
                    "backbone": backbone,
                    "method": name,
                    "identical_to_original": same,
                    "auc_0": s.auc(outcome.model, marked.iloc[0:0])["auc_0"],
                    "original_auc_0": s.auc(original, marked.iloc[0:0])["auc_0"],
                }
            )
    return pd.DataFrame(rows)


def plot(name: str, table: pd.DataFrame):
    fig, ax = plt.subplots(figsize=(7, 4))
    if name == "ratio":
        for backbone, group in table[table["metric"] == "auc_0"].groupby("backbone"):
            ax.plot(
                group["ratio_percent"],
                group["speedup"],
                marker="o",
                label=f"{backbone}: Retrain time / IFRU time",
            )
        ax.set_xscale("log"), ax.set_yscale("log"), ax.set_xlabel("|D_r| / |D| (%)")
    elif name == "spillover":
        table.pivot(index="metric", columns="spillover", values="completeness").plot.bar(
            ax=ax, rot=0
        )
        ax.set_ylabel("completeness (LightGCN)")
    elif name == "pruning":
        for backbone, group in table.groupby("backbone"):
            ax.plot(
                [f"({a},{b})" for a, b in zip(group["a0"], group["a1"], strict=True)],
                group["auc_0"],
                marker="o",
                label=backbone,
            )
        ax.tick_params(axis="x", rotation=45), ax.set_ylabel("AUC_0")
    else:
        table.pivot(index="backbone", columns="method", values="auc_0").plot.bar(ax=ax, rot=0)
    if ax.get_legend_handles_labels()[0]:
        ax.legend()
    ax.set_title(f"IFRU {name}")
    fig.tight_layout()
    return fig


EXPERIMENTS = {
    "ratio": ratio_sweep,
    "spillover": spillover_ablation,
    "pruning": pruning_sweep,
    "harmless": harmlessness,
}


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    names = ", ".join(EXPERIMENTS)
    parser.add_argument("experiments", nargs="*", help=f"some of {names}; default: all")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.experiments) - set(EXPERIMENTS))
    if unknown:  # argparse's `choices` rejects an empty `nargs="*"` list on Python 3.11
        parser.error(f"unknown experiments {unknown}: choose from {names}")
    return args


def main() -> None:
    args = parse_arguments()
    torch.set_num_threads(1)
    setting = Setting()
    for name in args.experiments or list(EXPERIMENTS):
        table = EXPERIMENTS[name](setting)
        setting.catalog.save(f"bmk_ifru_{name}", table)
        setting.catalog.save(f"bmk_ifru_{name}_plot", plot(name, table))
        logger.info("%s\n%s", name, table.to_string())


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
