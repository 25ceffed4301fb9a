"""LASER's figures on MovieLens-100K (Li et al., KBS 2024), measured in one process.

For each seed it runs the ``laser`` environment's ingestion, poisoning and grouping
(once per group count S), then, through the core API:

- Fig. 4 analogue (``bmk_laser_<backbone>_time``): unlearning time of Retrain, C-SISA (a process
  pool of ``--workers``) and LASER for a request of 5 % of the users of the last group
  of each S's cohesion order, with ``retrain_seconds / method_seconds`` per S;
- Fig. 5 analogue (``bmk_laser_<backbone>_utility``): NDCG@10 and HR@10 after learning and after
  unlearning ``rand@5`` and ``top@5`` requests for Retrain, C-SISA, L-Rand, L-BKM and
  L-CBKM across S (and anti-SeqTrain at S = 8, the Fig. 7 ablation);
- Fig. 8 analogue (``bmk_laser_<backbone>_cohesion_loss``): at S = 8, the test loss of a model
  trained from scratch on each CBKM group, groups in descending cohesion.

Usage: ``python benchmarks/laser.py [--seeds 1 2 3] [--groups 1 2 4 8 16]
[--backbone dmf] [--epochs 50] [--threads 1] [--workers 2]``
"""

from __future__ import annotations

import argparse
import logging
import time
from dataclasses import replace

import kedro_runs
import numpy as np
import pandas as pd
import torch
from matplotlib.figure import Figure

from recunlearn.data.requests import select_users
from recunlearn.evaluation.metrics import evaluate_model
from recunlearn.execution import ProcessPoolExecutor
from recunlearn.models import backbone_config, build_backbone
from recunlearn.predictions import rows_to_tensors
from recunlearn.runtime import RuntimeConfig, apply_runtime
from recunlearn.seeding import numpy_rng
from recunlearn.training.stages import StageTask, build_stage_model, run_stage, stage_seed
from recunlearn.unlearning import METHODS, PrepareContext, UnlearningRequest
from recunlearn.unlearning.retrain import Retrain
from recunlearn.unlearning.user_groups import groupings_from_tables

logger = logging.getLogger("benchmarks.laser")
ENV = "laser"
GROUPED = {"csisa": "C-SISA", "laser_rand": "L-Rand", "laser_bkm": "L-BKM", "laser": "L-CBKM"}


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--groups", type=int, nargs="+", default=[1, 2, 4, 8, 16])
    parser.add_argument("--backbone", default="dmf")
    parser.add_argument("--epochs", type=int, default=50, help="T, epochs per group")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2, help="C-SISA's process pool")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="cpu")
    return parser.parse_args(argv)


class Run:
    """One seed's data, training configuration and requests."""

    def __init__(self, args: argparse.Namespace, seed: int) -> None:
        self.args, self.seed = args, seed
        self.device = apply_runtime(RuntimeConfig(device=args.device, threads=args.threads))
        self.params = {"seed": seed, "runtime.threads": args.threads}
        for pipeline in ("ingestion", "poisoning"):
            kedro_runs.run(pipeline, self.params, ENV)
        catalog = kedro_runs.catalog(self.params, ENV)
        self.train = catalog.load("prm_train")
        self.test = catalog.load("prm_test")
        interactions = catalog.load("int_interactions")
        self.n_users = int(interactions["user"].max()) + 1
        self.n_items = int(interactions["item"].max()) + 1
        block = backbone_config(args.backbone, catalog.load("params:training")[args.backbone])
        self.config = block.model_copy(update={"max_epochs": args.epochs})
        self.original = build_backbone(
            args.backbone, self.n_users, self.n_items, self.config, self.train
        ).to(self.device)

    def groupings(self, n_groups: int):
        """The grouping step's groupings for S = ``n_groups``, and its cohesion table."""
        params = self.params | {"grouping.n_groups": n_groups}
        kedro_runs.run("grouping", params, ENV)
        catalog = kedro_runs.catalog(params, ENV)
        cohesion = catalog.load("grp_cohesion")
        return groupings_from_tables(catalog.load("grp_user_groups"), cohesion), cohesion

    def request(self, forget_users: np.ndarray, executor=None) -> UnlearningRequest:
        rows = self.train.assign(forget=self.train["user"].isin(forget_users))
        request = UnlearningRequest(
            self.original, rows, self.train.iloc[:0], self.config, self.seed, self.device
        )
        return request if executor is None else replace(request, executor=executor)

    def last_group_request(self, cbkm) -> np.ndarray:
        """5 % of the users of the last CBKM group (in SeqTrain's order) of this S."""
        rng = numpy_rng(self.seed, "benchmark", "laser", "last", cbkm.n_groups)
        last = np.flatnonzero(cbkm.labels == cbkm.order[-1])
        present = last[np.isin(last, self.train["user"].unique())]
        return rng.choice(present, max(1, round(0.05 * len(present))), False)

    def requests(self) -> dict[str, np.ndarray]:
        """Forgetting users of the user-wise requests rand@5 and top@5."""
        rng = numpy_rng(self.seed, "benchmark", "laser")
        out = {}
        for kind in ("rand", "top"):
            marked = select_users(self.train, 5.0, kind, rng)
            out[f"{kind}@5"] = marked.loc[marked["forget"], "user"].unique()
        return out

    def utility(self, model, forget_users: np.ndarray) -> dict[str, float]:
        retained = self.train[~self.train["user"].isin(forget_users)]
        forget = self.train[self.train["user"].isin(forget_users)]
        metrics = evaluate_model(
            model, None, retained, self.test, forget, ks=[10], device=self.device
        )
        return {"ndcg@10": metrics["ndcg@10"], "hr@10": metrics.get("hr@10", np.nan)}


def timed_unlearn(method, state, request):
    start = time.perf_counter()
    outcome = method.unlearn(state, request)
    return outcome, time.perf_counter() - start


def group_count_rows(run: Run, n_groups: int, requests, retrain) -> tuple[list, list]:
    """Fig. 4 and Fig. 5 rows of one S."""
    groupings, _ = run.groupings(n_groups)
    last = run.last_group_request(groupings["cbkm"])
    requests = {"last_group_5": last, **requests}
    retrain = {**retrain, "last_group_5": timed_unlearn(Retrain(), None, run.request(last))[1]}
    names = list(GROUPED) + (["laser_anti"] if n_groups == 8 else [])
    times, utility = [], []
    for name in names:
        method = METHODS[name]({"epochs": run.args.epochs})
        executor = ProcessPoolExecutor(run.args.workers, run.args.threads)
        learn = run.request(np.array([], dtype=int), executor)
        state = method.prepare(PrepareContext.of(learn, groupings))
        learned = method.unlearn(state, learn).model
        base = {"seed": run.seed, "groups": n_groups, "method": name}
        utility.append(base | {"phase": "learned", "request": "none"} | run.utility(learned, []))
        for kind, users in requests.items():
            outcome, seconds = timed_unlearn(method, state, run.request(users, executor))
            row = base | {"phase": "unlearned", "request": kind}
            utility.append(row | run.utility(outcome.model, users))
            times.append(
                row
                | {
                    "seconds": seconds,
                    "retrain_seconds": retrain[kind],
                    "prepare_seconds": state.seconds,
                    "speedup": retrain[kind] / seconds,
                }
            )
    return times, utility


def cohesion_loss(run: Run, groupings, cohesion: pd.DataFrame) -> pd.DataFrame:
    """Fig. 8: each CBKM group trained from scratch, test BCE on its users' test rows."""
    cbkm = groupings["cbkm"]
    rows = []
    for rank, group in enumerate(cbkm.order):
        users = np.flatnonzero(cbkm.labels == group)
        group_rows = run.train[run.train["user"].isin(users)]
        backbone = run.args.backbone
        task = StageTask(
            backbone,
            run.n_users,
            run.n_items,
            run.config,
            group_rows,
            group_rows,
            None,
            stage_seed(run.seed, "fig8", backbone, group, "init"),
            stage_seed(run.seed, "fig8", backbone, group, "batches"),
            run.args.epochs,
            str(run.device),
        )
        model = build_stage_model(replace(task, start=run_stage(task)[0]))
        test = run.test[run.test["user"].isin(users)]
        users_t, items_t, labels_t = rows_to_tensors(test, run.device)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(
            model.score_pairs(users_t, items_t), labels_t
        )
        rho = cohesion.query("grouping == 'cbkm' and group == @group")["cohesion"].iloc[0]
        rows.append(
            {
                "seed": run.seed,
                "rank": rank,
                "group": group,
                "cohesion": rho,
                "users": len(users),
                "test_loss": float(loss),
            }
        )
    return pd.DataFrame(rows)


def seed_tables(args: argparse.Namespace, seed: int) -> tuple[list, list, pd.DataFrame]:
    run = Run(args, seed)
    requests = run.requests()
    retrain, times, utility = {}, [], []
    for kind, users in requests.items():
        outcome, retrain[kind] = timed_unlearn(Retrain(), None, run.request(users))
        row = {
            "seed": seed,
            "groups": 0,
            "method": "retrain",
            "phase": "unlearned",
            "request": kind,
        }
        utility.append(row | run.utility(outcome.model, users))
    for n_groups in args.groups:
        logger.info("seed %d: S = %d", seed, n_groups)
        more_times, more_utility = group_count_rows(run, n_groups, requests, retrain)
        times += more_times
        utility += more_utility
    eight, cohesion = run.groupings(8)
    return times, utility, cohesion_loss(run, eight, cohesion)


def figure(frame: pd.DataFrame, y: str, title: str) -> Figure:
    fig = Figure(figsize=(6, 3.5))
    ax = fig.subplots()
    for method, group in frame.groupby("method"):
        mean = group.groupby("groups")[y].mean()
        ax.plot(mean.index, mean.to_numpy(), marker="o", label=GROUPED.get(method, method))
    ax.set(xscale="log", xlabel="groups S", ylabel=y, title=title)
    ax.set_xticks(sorted(frame["groups"].unique()), labels=sorted(frame["groups"].unique()))
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def save_tables(args: argparse.Namespace, times: list, utility: list, losses: list) -> None:
    """Write the tables gathered so far (after every seed: a cut-off run keeps its seeds)."""
    catalog = kedro_runs.catalog(env=ENV)
    name = f"laser_{args.backbone}"
    time_table = pd.DataFrame(times).assign(backbone=args.backbone, threads=args.threads)
    utility_table = pd.DataFrame(utility).assign(backbone=args.backbone)
    catalog.save(f"bmk_{name}_time", time_table)
    catalog.save(f"bmk_{name}_utility", utility_table)
    catalog.save(f"bmk_{name}_cohesion_loss", pd.concat(losses, ignore_index=True))
    last = time_table[time_table["request"] == "last_group_5"]
    catalog.save(f"bmk_{name}_time_plot", figure(last, "speedup", "Retrain / unlearning time"))
    after = utility_table.query("phase == 'unlearned' and request == 'rand@5' and groups > 0")
    catalog.save(f"bmk_{name}_utility_plot", figure(after, "ndcg@10", "NDCG@10 after rand@5"))
    summary = last.groupby(["method", "groups"])["speedup"].agg(["mean", "min"])
    logger.info("\n%s", summary.to_string())


def main() -> None:
    args = parse_arguments()
    times, utility, losses = [], [], []
    for seed in args.seeds:
        t, u, loss = seed_tables(args, seed)
        times, utility, losses = times + t, utility + u, [*losses, loss]
        save_tables(args, times, utility, losses)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
