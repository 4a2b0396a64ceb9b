"""Workbooks are read with a row cap, a time budget and a stop signal; previews read only the first rows."""

from __future__ import annotations

import pytest
from hostile import generate

from retention.importing import LoadError, excel, load_subscriptions
from retention.importing.budget import Stopped, limits
from retention.importing.reader import read_table


@pytest.fixture(scope="module")
def workbook() -> bytes:
    return generate.big_workbook(6_000)


def test_a_preview_reads_only_the_first_rows(workbook: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    converted = []
    text = excel._text
    monkeypatch.setattr(excel, "_text", lambda value: converted.append(value) or text(value))
    head = read_table(workbook, "big.xlsx", max_rows=10)
    assert len(head) == 10 and head["customer_id"].iloc[-1] == "c0000009"
    assert len(converted) == 11 * 4  # the header and ten records, four cells each: the other 5,990 rows are never read
    converted.clear()
    assert len(read_table(workbook, "big.xlsx")) == 6_000
    assert len(converted) == 6_001 * 4


def test_reading_past_the_time_budget_is_refused_with_a_message(workbook: bytes) -> None:
    with limits(seconds=0.0), pytest.raises(LoadError) as refused:
        load_subscriptions(workbook, "big.xlsx")
    assert "big.xlsx: reading the workbook took more than 0 seconds; save the sheet as CSV" in refused.value.message()


def test_reading_stops_when_the_session_has_ended(workbook: bytes) -> None:
    with limits(stopped=lambda: True), pytest.raises(Stopped):
        read_table(workbook, "big.xlsx")


def test_a_sheet_declaring_more_rows_than_the_cap_is_refused_before_reading(workbook: bytes, monkeypatch) -> None:
    monkeypatch.setattr(excel, "MAX_WORKBOOK_ROWS", 1_000)
    with pytest.raises(LoadError) as refused:
        read_table(workbook, "big.xlsx")
    assert "the workbook has more than 1,000 rows" in refused.value.message()
