"""Shards on a Dask cluster (a LocalCluster on the loopback): the same models, failures named."""

from __future__ import annotations

import dask
import pytest
import torch
from kedro.io import DatasetError

from recunlearn.errors import ParameterError
from recunlearn.execution import (
    DaskExecutor,
    Executor,
    InProcessExecutor,
    ProcessPoolExecutor,
    ShardFailedError,
    make_executor,
)
from recunlearn.grid import GridConfig
from recunlearn.models import build_backbone, model_payload
from recunlearn.models.config import TrainConfig
from recunlearn.pipelines.unlearning import create_pipeline
from recunlearn.runtime import RuntimeConfig
from recunlearn.training.stages import stage_seed
from recunlearn.unlearning import METHODS, PrepareContext, UnlearningRequest

from ..pipelines.conftest import run_pipeline, tiny_parameters
from .tasks import DoomedShard, square_or_die

CONFIG = TrainConfig(embedding_dim=4, init_std=0.1, batch_size=64, lr=0.05)


@pytest.fixture(scope="module")
def address():
    """A two-worker cluster on 127.0.0.1; a task that kills its worker is not retried."""
    distributed = pytest.importorskip("distributed")
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        cluster = distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
    with cluster:
        yield cluster.scheduler_address


class KillingExecutor(Executor):
    """A real executor whose worker dies while training one chosen shard."""

    def __init__(self, inner: Executor, doomed_init_seed: int) -> None:
        self.inner, self.doomed = inner, doomed_init_seed

    def map(self, function, tasks, labels):
        return self.inner.map(DoomedShard(function, self.doomed), tasks, labels)


def sisa_request(interactions, executor) -> UnlearningRequest:
    train = interactions.assign(forget=interactions["user"] == 3)
    model = build_backbone("mf", 24, 18, CONFIG, train, torch.Generator().manual_seed(0))
    return UnlearningRequest(model, train, train.iloc[:5], CONFIG, 1, "cpu", executor)


def test_the_spec_names_a_scheduler_address():
    assert make_executor("dask://10.0.0.5:8786", 2, 1).address == "tcp://10.0.0.5:8786"
    assert (
        RuntimeConfig(executor="dask://scheduler.lan:8786").executor == "dask://scheduler.lan:8786"
    )
    for bad in ("dask://host", "dask://:8786", "dask://host:99999", "tcp://host:8786"):
        with pytest.raises((ParameterError, ValueError), match="runtime.executor"):
            RuntimeConfig(executor=bad)


def test_dask_gives_the_in_process_results_in_task_order(address):
    tasks, labels = [4, 0, 1], ["shard 4", "shard 0", "shard 1"]
    assert DaskExecutor(address, 1).map(square_or_die, tasks, labels) == [16, 0, 1]


def test_in_process_process_pool_and_dask_prepare_identical_shards(interactions, address):
    states = []
    for executor in (InProcessExecutor(), ProcessPoolExecutor(2, 1), DaskExecutor(address, 1)):
        request = sisa_request(interactions, executor)
        states.append(
            METHODS["sisa"]({"shards": 3, "epochs": 2}).prepare(PrepareContext.of(request))
        )
    for key, value in states[0].named_tensors().items():
        assert torch.equal(states[1].named_tensors()[key], value), key
        assert torch.equal(states[2].named_tensors()[key], value), key


def test_receraser_unlearned_on_dask_equals_in_process(interactions, address):
    train = interactions.assign(forget=interactions["user"].isin([3, 8]))
    original = build_backbone("lightgcn", 24, 18, CONFIG, train, torch.Generator().manual_seed(0))
    config = {"shards": 3, "epochs": 2, "aggregator_epochs": 2}
    models = []
    for executor in (InProcessExecutor(), DaskExecutor(address, 1)):
        request = UnlearningRequest(original, train, train.iloc[:5], CONFIG, 1, "cpu", executor)
        state = METHODS["receraser"](config).prepare(PrepareContext.of(request))
        models.append(METHODS["receraser"](config).unlearn(state, request).model.state_dict())
    for key, value in models[0].items():
        assert torch.equal(models[1][key], value), key


def test_a_task_that_raises_on_a_worker_names_the_shard(address):
    with pytest.raises(ShardFailedError, match="shard 3 failed: bad shard"):
        DaskExecutor(address, 1).map(square_or_die, [1, 3], ["shard 1", "shard 3"])


def test_a_worker_that_dies_mid_shard_fails_the_method_naming_the_shard(interactions, address):
    doomed = stage_seed(1, "sisa", "mf", 1, "init")
    request = sisa_request(interactions, KillingExecutor(DaskExecutor(address, 1), doomed))
    with pytest.raises(
        ShardFailedError, match="sisa shard 1 failed: the Dask worker running it died"
    ):
        METHODS["sisa"]({"shards": 3, "epochs": 2}).prepare(PrepareContext.of(request))


def test_a_dead_worker_fails_the_run_and_nothing_is_written(interactions, address, monkeypatch):
    doomed = stage_seed(3, "sisa", "mf", 0, "init")  # tiny_parameters' seed is 3
    killing = KillingExecutor(DaskExecutor(address, 1), doomed)
    monkeypatch.setattr(
        "recunlearn.pipelines.unlearning.nodes.make_executor", lambda *args: killing
    )
    train = interactions.assign(forget=interactions["user"] == 3)
    original = build_backbone("mf", 24, 18, CONFIG, train, torch.Generator().manual_seed(0))
    params = tiny_parameters() | {"unlearning.sisa": {"shards": 2, "epochs": 2}}
    data = {
        "mf.original.model": model_payload(original),
        "mi_train": train,
        "prm_valid": train.iloc[:5],
        "mf.original.train_config": CONFIG.model_dump(),
    }
    outputs: dict = {}
    with pytest.raises(Exception, match="sisa shard 0 failed"):
        run_pipeline(
            create_pipeline(GridConfig(backbones=["mf"], methods=["retrain", "sisa"])),
            data,
            params,
            outputs,
        )
    for name in ("mf.sisa.state", "mf.sisa.model", "mf.sisa.log"):
        with pytest.raises(DatasetError):
            outputs[name].load()
