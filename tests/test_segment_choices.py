"""The sidebar's segment choices: each attribute's distinct values, written as text and stripped (issue 20 timing:
each distinct cell is written once; the choices are what writing every cell gave)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from retention.engine.membership import MAX_SEGMENT_VALUES, segment_choices


def test_values_are_stripped_text_and_blanks_are_no_choice() -> None:
    customers = pd.DataFrame({
        "customer_id": ["c1", "c2", "c3", "c4", "c5", "c6"],
        "plan": [" Pro", "Pro", "Basic ", None, "", "  "],
        "seats": [1.0, 2.0, 1.0, np.nan, 2.0, 10.0],
        "since": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-02-01", None, "2024-02-01", "2024-03-01"]),
    })
    assert segment_choices(customers, ["plan", "seats", "since"]) == {
        "plan": ["Basic", "Pro"], "seats": ["1.0", "10.0", "2.0"], "since": ["2024-01-01", "2024-02-01", "2024-03-01"]}


def test_a_column_of_mostly_distinct_values_is_no_segment() -> None:
    many = [f"company {i}" for i in range(MAX_SEGMENT_VALUES + 1)]
    customers = pd.DataFrame({"customer_id": many, "name": many, "same": [" x "] * len(many)})
    assert segment_choices(customers, ["name", "same"]) == {"same": ["x"]}
    assert segment_choices(None, ["name"]) == {}
