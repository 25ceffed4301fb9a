"""Exact unlearning (SISA, RecEraser): shard throughput per executor, single-user speed-ups.

Runs the ``single_user`` environment's data steps through the pipelines (ingestion, a
deletion request of one random user's rows, tuning and MF's Original), so D, D_r and
Original are those of a real run, then measures in this process:

1. ``bmk_exact_throughput``: SISA's shards (10, MF) trained through each executor:
   in-process (one shard after another), stacked (all shards as one stacked model),
   the local process pool (2 workers) and a Dask ``LocalCluster`` of 2 workers on
   127.0.0.1; where CUDA is present, also in-process and stacked on the GPU.
   ``rows_per_second`` = shard rows x epochs / seconds of the warm map; the first map
   (``cold_seconds``) includes starting the workers.
2. ``bmk_exact_single_user``: unlearning the user with Retrain, SISA, RecEraser (InBP,
   the default), SISA with 5 slices per shard (``sisa_r5``) and RecEraser with the
   user-based partition (UBP), each through the
   in-process, stacked and process-pool executors (and in-process and stacked on the
   GPU where present): median seconds over ``--repeats`` rounds, each round unlearning
   once with Retrain and with every variant in turn (so both sides of a speed-up see the
   same machine load), the speed-up over the median
   of Retrain on the same device (both timed here), the same two in this process's CPU
   seconds (``unlearn_cpu_seconds``: robust to other load on a shared machine; it
   leaves out the work of worker processes, so read it for in-process executors), the
   shards retrained, and AUC_0,
   NDCG@20 and active/inactive NDCG@20 of every unlearned model.
3. ``bmk_exact_machine``: one row: command, device, threads, date, commit, load average.

Usage: ``python benchmarks/exact.py [--repeats 3] [--threads 1]``
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
from dataclasses import dataclass, field, replace

import kedro_runs
import pandas as pd
import torch
from kedro.io import DataCatalog
from machine import machine_table, start

from recunlearn.evaluation.metrics import evaluate_model
from recunlearn.execution import (
    DaskExecutor,
    InProcessExecutor,
    ProcessPoolExecutor,
)
from recunlearn.models import backbone_config, model_from_payload
from recunlearn.runtime import resolve_device
from recunlearn.training.stages import BackboneShape
from recunlearn.unlearning import METHODS, PrepareContext, UnlearningRequest

logger = logging.getLogger("benchmarks.exact")
ENV = "single_user"
VARIANTS = {  # name: (method, config overrides)
    "sisa": ("sisa", {}),
    "sisa_r5": ("sisa", {"slices": 5}),
    "receraser": ("receraser", {}),
    "receraser_ubp": ("receraser", {"partition": "user"}),
}


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--variants", nargs="+", choices=sorted(VARIANTS), default=sorted(VARIANTS))
    parser.add_argument(
        "--executors", nargs="+", help="names of local executors (default: all)", default=None
    )
    parser.add_argument("--skip-throughput", action="store_true", help="only the single-user table")
    return parser.parse_args(argv)


def prepare_data(threads: int) -> tuple[UnlearningRequest, dict, pd.DataFrame, DataCatalog]:
    """Run the single-user protocol's data steps for MF; the request, settings and test rows."""
    params = {"grid": {"backbones": ["mf"]}, "runtime": {"threads": threads, "device": "cpu"}}
    for pipeline in ("ingestion", "poisoning", "tuning", "training"):
        kedro_runs.run(pipeline, params, ENV)
    catalog = kedro_runs.catalog(params, ENV)
    train = catalog.load("mi_train")
    request = UnlearningRequest(
        original=model_from_payload(catalog.load("mf.original.model")),
        train_rows=train,
        valid_rows=catalog.load("prm_valid"),
        train_config=backbone_config("mf", catalog.load("mf.original.train_config")),
        seed=catalog.load("params:seed"),
    )
    return request, catalog.load("params:unlearning"), catalog.load("prm_test"), catalog


def with_executor(
    request: UnlearningRequest, executor, device="cpu", stack: bool = False
) -> UnlearningRequest:
    return replace(
        request,
        original=request.original.to(device),
        device=device,
        executor=executor,
        stack_shards=stack,
    )


def shard_throughput(request: UnlearningRequest, settings: dict, executors: dict) -> pd.DataFrame:
    """Seconds to train SISA's every shard through each executor, cold then warm."""
    method = METHODS["sisa"](settings["sisa"])
    context = PrepareContext.of(request)
    labels = method.shard_labels(context)
    shape = BackboneShape.of(request.original)
    shards = list(range(method.config.shards))
    fresh = dict.fromkeys(shards, (0, ()))  # every shard from its initialisation
    rows = []
    for name, (executor, device, stack) in executors.items():
        timed = PrepareContext.of(with_executor(request, executor, device, stack))
        seconds = []
        for _ in range(2):
            start = time.perf_counter()
            method.train_shards(shape, context.train_rows, labels, fresh, timed)
            seconds.append(time.perf_counter() - start)
        row_epochs = len(context.train_rows) * method.config.epochs
        rows.append(
            {
                "executor": name,
                "device": device,
                "shards": len(shards),
                "epochs": method.config.epochs,
                "cold_seconds": seconds[0],
                "warm_seconds": seconds[1],
                "rows_per_second": row_epochs / seconds[1],
            }
        )
        logger.info("throughput %s", rows[-1])
    return pd.DataFrame(rows)


@dataclass
class Work:
    """One unlearning to time: a method (and its prepared state) through an executor."""

    method_name: str
    executor: str
    device: str
    method: object
    state: object
    request: UnlearningRequest
    prepare_seconds: float = float("nan")
    outcome: object = None
    seconds: list = field(default_factory=list)
    cpu: list = field(default_factory=list)

    def run(self) -> None:
        """Unlearn once; keep the last outcome (only: the models add up), its own log's
        seconds and this process's CPU seconds (robust to other processes' load on a
        shared machine; one thread, so CPU and wall agree when idle)."""
        start = time.process_time()
        self.outcome = self.method.unlearn(self.state, self.request)
        self.cpu.append(time.process_time() - start)
        self.seconds.append(self.outcome.log["seconds"])

    def medians(self) -> tuple[float, float]:
        """Median unlearning seconds (its own log's) and median CPU seconds."""
        return statistics.median(self.seconds), statistics.median(self.cpu)


def timed_in_turns(works: list[Work], repeats: int) -> None:
    """``repeats`` rounds, each unlearning once with every work in turn, so that every
    speed-up's two sides are timed under the same machine load."""
    for _ in range(repeats):
        for work in works:
            work.run()


def single_user_works(
    request: UnlearningRequest, settings: dict, executors: dict, variants: list[str]
) -> list[Work]:
    """Retrain on every device, then every variant through every executor (each prepared
    once per device, on that device)."""
    retrain = METHODS["retrain"](settings["retrain"])
    works = [
        Work(
            "retrain",
            "inprocess",
            device,
            retrain,
            None,
            with_executor(request, InProcessExecutor(), device),
        )
        for device in sorted({device for _, device, _ in executors.values()})
    ]
    for variant in variants:
        name, overrides = VARIANTS[variant]
        method = METHODS[name]({**settings[name], **overrides})
        states = {}  # each device's learning-time state, prepared on that device
        for executor_name, (executor, device, stack) in executors.items():
            on_device = with_executor(request, executor, device, stack)
            if device not in states:
                states[device] = method.prepare(PrepareContext.of(on_device))
            state = states[device]
            works.append(
                Work(variant, executor_name, device, method, state, on_device, state.seconds)
            )
    return works


def single_user(
    request: UnlearningRequest,
    settings: dict,
    test: pd.DataFrame,
    repeats: int,
    executors: dict,
    variants: list[str],
) -> pd.DataFrame:
    """Every variant's unlearning of the user next to Retrain's on the same device,
    timed in turns (:func:`timed_in_turns`)."""
    forget = request.forget_rows
    works = single_user_works(request, settings, executors, variants)
    timed_in_turns(works, repeats)
    retrained = {w.device: w.medians() for w in works if w.method_name == "retrain"}
    reference = next(w for w in works if w.method_name == "retrain" and w.device == "cpu")
    table = []
    for work in works:
        outcome, (seconds, cpu) = work.outcome, work.medians()
        metrics = evaluate_model(
            outcome.model.cpu(),
            reference.outcome.model,
            request.train_rows,
            test,
            forget,
            [20],
        )
        table.append(
            {
                "method": work.method_name,
                "executor": work.executor,
                "device": work.device,
                "forget_rows": len(forget),
                "unlearn_seconds": seconds,
                "speedup_vs_retrain": retrained[work.device][0] / seconds,
                "unlearn_cpu_seconds": cpu,
                "cpu_speedup_vs_retrain": retrained[work.device][1] / cpu,
                "prepare_seconds": work.prepare_seconds,
                "shards_retrained": outcome.log.get("shards_retrained", float("nan")),
                "slice_stages_retrained": outcome.log.get("slice_stages_retrained", float("nan")),
                "aggregator_seconds": outcome.log.get("aggregator_seconds", float("nan")),
                **{
                    k: metrics[k]
                    for k in ("auc_0", "ndcg@20", "active_ndcg@20", "inactive_ndcg@20")
                },
            }
        )
        logger.info("single user %s", table[-1])
    return pd.DataFrame(table)


def local_executors(pool: ProcessPoolExecutor) -> dict:
    """Executors of this machine, by name: (executor, device, stack_shards); the GPU
    ones where CUDA is. ``stacked`` is the in-process executor with stacked shards."""
    executors = {
        "inprocess": (InProcessExecutor(), "cpu", False),
        "stacked": (InProcessExecutor(), "cpu", True),
        "processes(2)": (pool, "cpu", False),
        "processes(2) stacked": (pool, "cpu", True),
    }
    if torch.cuda.is_available():
        cuda = str(resolve_device("cuda"))
        executors |= {
            "inprocess cuda": (InProcessExecutor(), cuda, False),
            "stacked cuda": (InProcessExecutor(), cuda, True),
        }
    return executors


def main(argv: list[str] | None = None) -> None:
    args, started = parse_arguments(argv), start()
    torch.set_num_threads(args.threads)
    request, settings, test, catalog = prepare_data(args.threads)
    pool = ProcessPoolExecutor(2, args.threads)
    local = local_executors(pool)
    if args.executors:
        local = {name: local[name] for name in args.executors}
    if not args.skip_throughput:
        throughput = dask_and_local_throughput(request, settings, local, args.threads)
        catalog.save("bmk_exact_throughput", throughput.assign(threads=args.threads))
        logger.info("\n%s", throughput.to_string(index=False))
    unlearning = single_user(request, settings, test, args.repeats, local, args.variants)
    catalog.save("bmk_exact_single_user", unlearning.assign(threads=args.threads))
    devices = ", ".join(sorted(set(unlearning["device"].astype(str))))
    machine = machine_table("exact.py", argv, devices, args.threads, started)
    catalog.save("bmk_exact_machine", machine)
    logger.info("\n%s", unlearning.to_string(index=False))


def dask_and_local_throughput(
    request: UnlearningRequest, settings: dict, local: dict, threads: int
) -> pd.DataFrame:
    """SISA's shard throughput through ``local`` and a 2-worker Dask cluster."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        dask = DaskExecutor(cluster.scheduler_address, threads)
        return shard_throughput(
            request, settings, local | {"dask(2 workers)": (dask, "cpu", False)}
        )


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
