"""RowPattern: the rows' symmetric CSR pattern against dense matrices built by hand."""

from __future__ import annotations

import torch

from recunlearn.models.row_pattern import RowPattern

N_USERS, N_ITEMS = 4, 3
USERS = torch.tensor([2, 0, 3, 0, 2])
ITEMS = torch.tensor([1, 2, 0, 0, 1])  # (2, 1) twice: a repeated row


def pattern() -> RowPattern:
    return RowPattern(USERS, ITEMS, N_USERS, N_USERS + N_ITEMS)


def test_row_positions_hold_each_rows_user_to_item_nonzero():
    rows = pattern()
    positions = rows.row_positions()
    assert positions.tolist() == sorted(set(positions.tolist()), key=positions.tolist().index)
    assert torch.equal(rows.source[positions], USERS)
    assert torch.equal(rows.target[positions], ITEMS + N_USERS)
    assert torch.equal(rows.row_of[positions], torch.arange(len(USERS)))


def test_sampled_at_row_positions_is_each_rows_dot_product():
    generator = torch.Generator().manual_seed(0)
    table = torch.randn(N_USERS + N_ITEMS, 5, generator=generator, dtype=torch.float64)
    rows = pattern()
    got = rows.sampled(table, table).index_select(0, rows.row_positions())
    expected = (table[USERS] * table[ITEMS + N_USERS]).sum(-1)
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-12)


def test_matrix_of_row_values_scatters_them_onto_both_nodes():
    """Each row's value on both its nonzeros: the dense symmetric matrix with the
    rows' values summed at (u, n_users + i) and at its transpose."""
    values = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0], dtype=torch.float64)
    rows = pattern()
    dense = torch.zeros(N_USERS + N_ITEMS, N_USERS + N_ITEMS, dtype=torch.float64)
    for user, item, value in zip(USERS.tolist(), ITEMS.tolist(), values.tolist(), strict=True):
        dense[user, N_USERS + item] += value
        dense[N_USERS + item, user] += value
    got = rows.matrix(values.index_select(0, rows.row_of)).to_dense()
    assert torch.equal(got, dense)
