"""benchmarks/exact.py's two measurements at toy size, in-process (a call the sharded
methods' signature had moved past went unnoticed while only its arguments were tested)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch

from recunlearn.execution import InProcessExecutor
from recunlearn.models import build_backbone
from recunlearn.models.config import TrainConfig
from recunlearn.unlearning import UnlearningRequest

from ..conftest import checkerboard

SETTINGS = {"retrain": {}, "sisa": {"shards": 2, "epochs": 5}}  # sisa_r5: 5 slice stages


@pytest.fixture(scope="module")
def exact():
    import exact

    return exact


@pytest.fixture
def request_of_one_user():
    rows = checkerboard(24, 30, density=0.8)  # 30 items: NDCG@20 has a list to rank
    train, valid = rows.assign(forget=rows["user"] == 0), checkerboard(24, 30, 0.3, seed=2)
    config = TrainConfig(embedding_dim=4, max_epochs=2)
    original = build_backbone("mf", 24, 30, config, train, torch.Generator().manual_seed(0))
    return UnlearningRequest(original, train, valid, config, seed=0)


def test_shard_throughput_trains_every_shard_through_each_executor(exact, request_of_one_user):
    executors = {"inprocess": (InProcessExecutor(), "cpu", False)}
    table = exact.shard_throughput(request_of_one_user, SETTINGS, executors)
    assert table[["executor", "shards", "epochs"]].values.tolist() == [["inprocess", 2, 5]]
    assert (table["rows_per_second"] > 0).all()


def test_single_user_times_each_variant_against_retrain(exact, request_of_one_user):
    executors = {"inprocess": (InProcessExecutor(), "cpu", False)}
    test_rows = checkerboard(24, 30, density=0.5, seed=1)
    table = exact.single_user(
        request_of_one_user, SETTINGS, test_rows, 1, executors, ["sisa", "sisa_r5"]
    )
    assert table["method"].tolist() == ["retrain", "sisa", "sisa_r5"]
    assert (table["forget_rows"] == (request_of_one_user.train_rows["user"] == 0).sum()).all()
    assert (table["cpu_speedup_vs_retrain"] > 0).all()


class Recorded:
    """A method whose unlearning records its name and reports ``seconds`` in its log."""

    def __init__(self, name: str, calls: list[str], seconds: list[float]):
        self.name, self.calls, self.seconds = name, calls, iter(seconds)

    def unlearn(self, state, request):
        self.calls.append(self.name)
        return SimpleNamespace(log={"seconds": next(self.seconds)})


def test_works_are_timed_in_turns_and_summarised_by_their_medians(exact):
    calls: list[str] = []
    works = [
        exact.Work(name, "inprocess", "cpu", Recorded(name, calls, seconds), None, None)
        for name, seconds in (("retrain", [3.0, 1.0, 2.0]), ("sisa", [0.5, 0.1, 0.2]))
    ]
    exact.timed_in_turns(works, 3)
    assert calls == ["retrain", "sisa"] * 3
    assert [work.medians()[0] for work in works] == [2.0, 0.2]
    assert all(len(work.cpu) == 3 for work in works)
