"""SISA with slices: a touched shard restarts at its earliest touched slice, exactly."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch
from pydantic import ValidationError

from recunlearn.models import build_backbone
from recunlearn.models.config import TrainConfig
from recunlearn.seeding import derive_seed
from recunlearn.training.stages import isolated_task, run_stage, stage_seed
from recunlearn.unlearning import METHODS, PrepareContext, UnlearningRequest
from recunlearn.unlearning.partitions import row_slices
from recunlearn.unlearning.retrain import training_streams

CONFIG = TrainConfig(embedding_dim=4, init_std=0.1, max_epochs=3, batch_size=64, lr=0.05)
SLICES = 3


def request_for(interactions, forget, backbone="mf") -> UnlearningRequest:
    train = interactions.assign(forget=forget)
    init, _ = training_streams(5, backbone)
    original = build_backbone(backbone, 24, 18, CONFIG, train, init)
    return UnlearningRequest(original, train, train.iloc[:10], CONFIG, 5)


def sisa():
    return METHODS["sisa"]({"shards": 3, "epochs": 4, "slices": SLICES})


def slices_of(rows) -> np.ndarray:
    return row_slices(rows, 18, SLICES, derive_seed(5, "sisa"))


def test_a_rows_slice_depends_on_its_key_alone(interactions):
    slices = slices_of(interactions)
    assert set(slices.tolist()) == set(range(SLICES))
    assert np.bincount(slices).min() > len(interactions) / SLICES / 2  # balanced enough
    subset = interactions.iloc[::3]
    assert np.array_equal(slices_of(subset), slices[::3])
    shuffled = interactions.sample(frac=1.0, random_state=0)
    assert np.array_equal(slices_of(shuffled), slices[shuffled.index.to_numpy()])


def forget_mask(interactions, labels, cells) -> np.ndarray:
    """Rows of (shard, slice) ``cells``, every fourth of each."""
    slices, every = slices_of(interactions), np.arange(len(interactions)) % 4 == 0
    return np.any([(labels == s) & (slices == k) & every for s, k in cells], axis=0)


@pytest.mark.parametrize("backbone", ["mf", "lightgcn"])
@pytest.mark.parametrize(
    ("cells", "retrained"),
    [([(0, 2), (2, 1)], 1 + 2), ([(1, 0), (1, 2)], 3), ([(0, 1), (1, 2), (2, 0)], 2 + 1 + 3)],
)
def test_unlearning_equals_sliced_sisa_prepared_from_scratch_on_the_rest(
    interactions, backbone, cells, retrained
):
    method = sisa()
    plain = method.prepare(PrepareContext.of(request_for(interactions, False, backbone)))
    labels = method.partition_of(plain).labels_of(interactions)
    request = request_for(interactions, forget_mask(interactions, labels, cells), backbone)
    state = method.prepare(PrepareContext.of(request))
    outcome = method.unlearn(state, request)
    assert outcome.log["slice_stages_retrained"] == retrained
    assert outcome.log["shards_retrained"] == len({s for s, _ in cells})
    retained = request.retain_rows.assign(forget=False)
    scratch = UnlearningRequest(request.original, retained, request.valid_rows, CONFIG, 5)
    fresh = method.prepare(PrepareContext.of(scratch, partition=method.partition_of(state)))
    for key, value in fresh.named_tensors().items():
        assert torch.equal(outcome.next_state.named_tensors()[key], value), key
    oracle = method.unlearn(fresh, scratch).model
    for key, value in outcome.model.state_dict().items():
        assert torch.equal(value, oracle.state_dict()[key]), key


def test_a_request_in_the_last_slice_keeps_every_earlier_checkpoint(interactions):
    method = sisa()
    plain = method.prepare(PrepareContext.of(request_for(interactions, False)))
    labels = method.partition_of(plain).labels_of(interactions)
    request = request_for(interactions, forget_mask(interactions, labels, [(1, SLICES - 1)]))
    state = method.prepare(PrepareContext.of(request))
    after = method.unlearn(state, request).next_state
    assert len(state.checkpoints[1]) == SLICES - 1
    for before, kept in zip(state.checkpoints[1], after.checkpoints[1], strict=True):
        assert all(torch.equal(before[k], kept[k]) for k in before)
    assert not all(torch.equal(state.members[1][k], after.members[1][k]) for k in state.members[1])
    assert after.members[0] is state.members[0] and after.members[2] is state.members[2]


def test_one_slice_keeps_no_checkpoints_and_more_slices_than_epochs_is_refused(interactions):
    request = request_for(interactions, False)
    one = METHODS["sisa"]({"shards": 3, "epochs": 4})
    assert one.prepare(PrepareContext.of(request)).checkpoints == ()
    with pytest.raises(ValidationError, match=r"slices \(5\) must not exceed epochs \(4\)"):
        METHODS["sisa"]({"shards": 3, "epochs": 4, "slices": 5})


def test_stage_k_trains_on_slices_up_to_k_from_the_previous_checkpoint(interactions):
    """Shard 0 with E = 4, R = 3: stages of 2, 1, 1 epochs on slices {0}, {0,1}, {0,1,2}."""
    request = request_for(interactions, False)
    method = sisa()
    state = method.prepare(PrepareContext.of(request))
    rows = interactions[method.partition_of(state).labels_of(interactions) == 0]
    slices, shape = slices_of(rows), state.shape
    start = None
    for stage, epochs in enumerate((2, 1, 1)):
        batches = stage_seed(
            5, "sisa", "mf", 0, "batches" if stage == 0 else f"batches-slice-{stage}"
        )
        task = replace(
            isolated_task("sisa", shape, rows[slices <= stage], 0, CONFIG, 5, "cpu", epochs),
            start=start,
            batch_seed=batches,
        )
        start, _ = run_stage(task)
        expected = state.checkpoints[0][stage] if stage < 2 else state.members[0]
        assert all(torch.equal(start[k], expected[k]) for k in start), stage
