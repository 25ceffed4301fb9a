"""Non-member candidates drawn like D_r, by request kind (hand-worked tables)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recunlearn.audits.non_members import FRESH_PER_FAKE, non_member_candidates

MARKED = pd.DataFrame(
    {
        "user": [0, 0, 0, 1, 1, 1],
        "item": [0, 1, 5, 2, 3, 4],
        "label": [1, 0, 1, 1, 1, 0],
        "forget": [False, False, True, False, False, True],
    }
)
HELD = pd.DataFrame({"user": [0, 1, 1, 2], "item": [2, 0, 6, 5], "label": [0, 1, 1, 1]})


def test_label_flip_and_private_candidates_are_held_out_rows_shaped_like_d_r():
    rng = np.random.default_rng(0)
    flipped = non_member_candidates("label_flip", MARKED, HELD, rng)
    assert flipped.values.tolist() == [[0, 2, 1], [1, 0, 0], [1, 6, 0], [2, 5, 0]]
    # D_r: users 0 and 1 (items 5 and 4); user 2 deleted nothing
    private = non_member_candidates("private", MARKED, HELD, rng)
    assert private.values.tolist() == [[1, 0, 1], [1, 6, 1]]
    whole_users = non_member_candidates("user_wise", MARKED, HELD, rng)
    assert whole_users.equals(HELD.head(3))
    assert non_member_candidates("category", MARKED, HELD, rng).empty  # none on items 4, 5
    on_items = non_member_candidates("category", MARKED.assign(item=[0, 1, 2, 6, 3, 4]), HELD, rng)
    assert on_items.values.tolist() == [[0, 2, 0]]


def test_noise_injection_candidates_are_fresh_fakes_on_untouched_items():
    fakes = non_member_candidates("noise_injection", MARKED, HELD, np.random.default_rng(0))
    assert (fakes["label"] == 1).all()
    # items 0..6; user 0 touched {0, 1, 5, 2}: free {3, 4, 6}; user 1 {2, 3, 4, 0, 6}: {1, 5}
    assert set(fakes.loc[fakes["user"] == 0, "item"]) <= {3, 4, 6}
    assert sorted(fakes.loc[fakes["user"] == 1, "item"]) == [1, 5]
    assert (fakes["user"] == 0).sum() == FRESH_PER_FAKE  # one injected row each
