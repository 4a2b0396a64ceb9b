"""Segment choices read a text column's distinct values only until there are too many (issue 20, round 4): the
choices are still what writing and stripping every distinct cell gives, for Arrow text, Python objects mixing text
and numbers, and a names column that is no segment."""

from __future__ import annotations

import pandas as pd

from retention.engine.membership import MAX_SEGMENT_VALUES, segment_choices


def _written(column: pd.Series) -> list[str]:
    """The plain rule: every distinct cell written as text and stripped, blanks left out."""
    values = column.dropna().drop_duplicates().astype(str).str.strip()
    return sorted(set(values[values.ne("")]))


def test_text_of_every_kind_gives_the_plain_rules_choices() -> None:
    customers = pd.DataFrame({
        "customer_id": [f"c{i}" for i in range(6)],
        "arrow": pd.Series([" Pro", "Pro", "Basic ", None, "", "Team"], dtype="string[pyarrow]"),
        "mixed": pd.Series(["EU", 7, " EU", 7.5, None, "US "], dtype=object),
    })
    choices = segment_choices(customers, ["arrow", "mixed"])
    assert choices == {"arrow": ["Basic", "Pro", "Team"], "mixed": ["7", "7.5", "EU", "US"]}
    assert choices["mixed"] == _written(customers["mixed"])


def test_a_names_column_stops_being_read_once_it_has_too_many_values() -> None:
    names = [f"Founder {i} " for i in range(5 * MAX_SEGMENT_VALUES)] + [12]  # a number after the text: still no segment
    few = [" a", "b", "a "] * (len(names) // 3) + ["b"] * (len(names) % 3)
    customers = pd.DataFrame({"customer_id": range(len(names)), "name": pd.Series(names, dtype=object), "few": few})
    assert segment_choices(customers, ["name", "few"]) == {"few": ["a", "b"]}
