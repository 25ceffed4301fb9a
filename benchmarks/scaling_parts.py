"""Data, models and memory probes of ``benchmarks/scaling.py``."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from types import TracebackType

import numpy as np
import pandas as pd
import torch

from recunlearn.data.synthetic import SyntheticConfig, synthetic_interactions
from recunlearn.models import Recommender, build_backbone
from recunlearn.models.config import TrainConfig
from recunlearn.parameters import IngestionConfig
from recunlearn.pipelines.ingestion.nodes import clean_ratings, split_dataset
from recunlearn.seeding import numpy_rng, torch_generator
from recunlearn.unlearning import UnlearningRequest

FORGET_SHARE = 0.02


@dataclass(frozen=True)
class SizedData:
    """Training rows (with a ``forget`` column marking 2 %), validation and test rows."""

    train: pd.DataFrame
    valid: pd.DataFrame
    test: pd.DataFrame
    n_users: int
    n_items: int

    @property
    def forget(self) -> pd.DataFrame:
        return self.train[self.train["forget"]]


def load_size(size: str, catalog, seed: int) -> SizedData:
    """ML-100K through the catalog and the ingestion nodes, or ``size`` synthetic rows."""
    if size == "ml-100k":
        ingestion = IngestionConfig.model_validate(catalog.load("params:ingestion"))
        clean, _, _ = clean_ratings(catalog.load("raw_ratings"), "ml-100k", ingestion)
        train, valid, test, _ = split_dataset(clean, ingestion, catalog.load("params:seed"))
        n_users, n_items = int(clean["user"].max()) + 1, int(clean["item"].max()) + 1
    else:
        rows = int(float(size))
        config = SyntheticConfig(n_interactions=rows + 2 * max(rows // 8, 1), seed=seed)
        table = synthetic_interactions(config)
        order = numpy_rng(seed, "scaling", "split").permutation(len(table))
        parts = np.split(order, [rows, rows + max(rows // 8, 1)])
        train, valid, test = (table.iloc[part].reset_index(drop=True) for part in parts)
        n_users, n_items = config.n_users, config.n_items
    forget = numpy_rng(seed, "scaling", "forget").random(len(train)) < FORGET_SHARE
    return SizedData(train.assign(forget=forget), valid, test, n_users, n_items)


def fresh_model(backbone: str, data: SizedData, cfg: TrainConfig, seed: int) -> Recommender:
    """A newly initialised backbone on ``data``'s training graph."""
    init = torch_generator(seed, "scaling", "init", backbone)
    return build_backbone(backbone, data.n_users, data.n_items, cfg, data.train, init)


def unlearning_request(
    model: Recommender, data: SizedData, cfg: TrainConfig, seed: int, device: torch.device
) -> UnlearningRequest:
    return UnlearningRequest(model, data.train, data.valid, cfg, seed, device)


class PeakMemory:
    """Peak memory (MiB) during a block: allocated CUDA memory, or the process RSS on
    the CPU (sampled every 5 ms by a thread)."""

    def __init__(self, device: torch.device) -> None:
        self.device, self.peak_mib = device, float("nan")
        self._stop = threading.Event()
        self._samples: list[int] = []

    def __enter__(self) -> PeakMemory:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
            torch.cuda.reset_peak_memory_stats(self.device)
        else:
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        return self

    def _sample(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        while True:
            with open("/proc/self/statm") as statm:
                self._samples.append(int(statm.read().split()[1]) * page)
            if self._stop.wait(0.005):
                return

    def __exit__(
        self, kind: type | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.device.type == "cuda":
            self.peak_mib = torch.cuda.max_memory_allocated(self.device) / 2**20
        else:
            self._stop.set()
            self._thread.join()
            self.peak_mib = max(self._samples) / 2**20
