"""Per-distinct-cell work (`importing.parse`): the reader's Categoricals are their own factorisation.

`distinct_cells` skips factorising the codes when they already number every category in order of
first appearance (what the CSV reader makes); otherwise it factorises as before.  Both give the same
codes and distinct cells, which these hand-made columns pin.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from retention.importing.parse import _first_appearance, distinct_cells, parse_dates


@pytest.mark.parametrize(("codes", "n", "expected"), [
    ([0, 1, 0, 2, 1], 3, True),  # numbered as they first appear, every category used
    ([0, 0, 0], 1, True),
    ([], 0, True),
    ([1, 0], 2, False),  # "b" before "a": not first-appearance order
    ([0, 2, 1], 3, False),  # skips a number
    ([0, 1], 3, False),  # a category no row uses
    ([0, -1, 1], 2, False),  # a missing cell
])
def test_first_appearance(codes: list[int], n: int, expected: bool) -> None:
    assert _first_appearance(np.asarray(codes, dtype=np.int8), n) is expected


def test_distinct_cells_of_a_reader_column_and_of_a_reordered_one() -> None:
    reader = pd.Series(pd.Categorical.from_codes([0, 1, 0, 2], categories=["2024-01-05", " x", "2024-02-29"]))
    codes, cells = distinct_cells(reader)
    assert codes.tolist() == [0, 1, 0, 2] and cells.tolist() == ["2024-01-05", " x", "2024-02-29"]
    # Categories sorted (not in order of appearance), one unused, one missing cell: factorised as before.
    other = pd.Series(pd.Categorical(["b", "a", None, "b"], categories=["a", "b", "c"]))
    codes, cells = distinct_cells(other)
    assert codes.tolist() == [0, 1, 2, 0] and cells.tolist() == ["b", "a", ""]


def test_dates_spread_back_to_the_rows_index() -> None:
    column = pd.Series(pd.Categorical.from_codes([0, 1, 0, 2], categories=["2024-01-05", "nope", ""]),
                       index=pd.RangeIndex(2, 6, name="row"))
    dates, bad = parse_dates(column)
    assert dates.index.equals(column.index) and bad.index.equals(column.index)
    assert dates.tolist()[0] == pd.Timestamp("2024-01-05") and dates.tolist()[2] == pd.Timestamp("2024-01-05")
    assert pd.isna(dates.tolist()[1]) and pd.isna(dates.tolist()[3])
    assert bad.tolist() == [False, True, False, False]  # an empty cell is missing, not bad
