"""Period labels and parsing (`2019-01`, `2019-Q1`, `2019`), widening, and complete periods (METRICS.md §2)."""

from __future__ import annotations

import pandas as pd
import pytest

from retention.periods import (
    check_granularity,
    label,
    last_complete_period,
    parse_period,
    period_of,
    snapshot_dates,
)


@pytest.mark.parametrize(
    ("text", "granularity", "expected"),
    [
        ("2019-01", "month", pd.Period("2019-01", "M")),
        ("2019-1", "month", pd.Period("2019-01", "M")),
        (" 2019-12 ", "month", pd.Period("2019-12", "M")),
        ("2019-Q1", "quarter", pd.Period("2019Q1", "Q")),
        ("2019-q4", "quarter", pd.Period("2019Q4", "Q")),
        ("2019Q2", "quarter", pd.Period("2019Q2", "Q")),
        ("2019", "year", pd.Period("2019", "Y")),
        # finer than the granularity: widened to the period that contains it
        ("2019-02", "quarter", pd.Period("2019Q1", "Q")),
        ("2019-04", "quarter", pd.Period("2019Q2", "Q")),
        ("2019-12", "year", pd.Period("2019", "Y")),
        ("2019-Q3", "year", pd.Period("2019", "Y")),
    ],
)
def test_parse_period(text: str, granularity: str, expected: pd.Period) -> None:
    assert parse_period(text, granularity) == expected


@pytest.mark.parametrize(
    ("text", "granularity"),
    [("2019", "month"), ("2019", "quarter"), ("2019-Q1", "month")],
)
def test_coarser_than_granularity_is_rejected(text: str, granularity: str) -> None:
    with pytest.raises(ValueError, match=granularity):
        parse_period(text, granularity)


@pytest.mark.parametrize("text", ["2019-13", "2019-00", "2019-Q5", "19-01", "January 2019", "", "2019/01", "soon"])
def test_unreadable_period(text: str) -> None:
    with pytest.raises(ValueError, match="2019-01, 2019-Q1 or 2019"):
        parse_period(text, "month")


@pytest.mark.parametrize(
    ("period", "text"),
    [
        (pd.Period("2019-01", "M"), "2019-01"),
        (pd.Period("2019-11", "M"), "2019-11"),
        (pd.Period("2019Q1", "Q"), "2019-Q1"),
        (pd.Period("2020Q4", "Q"), "2020-Q4"),
        (pd.Period("2019", "Y"), "2019"),
    ],
)
def test_label_round_trips(period: pd.Period, text: str) -> None:
    assert label(period) == text
    granularity = {"M": "month", "Q": "quarter", "Y": "year"}[period.freqstr[0]]
    assert parse_period(text, granularity) == period


def test_check_granularity() -> None:
    assert check_granularity("quarter") == "quarter"
    with pytest.raises(ValueError, match="month, quarter or year"):
        check_granularity("week")


@pytest.mark.parametrize(
    ("as_of", "granularity", "expected"),
    [
        # the snapshot is the period's last day: a period is complete when that day is on or before as-of
        ("2019-03-31", "month", "2019-03"),
        ("2019-03-30", "month", "2019-02"),
        ("2020-02-29", "month", "2020-02"),  # leap day is February's snapshot
        ("2020-02-28", "month", "2020-01"),
        ("2019-06-30", "quarter", "2019-Q2"),
        ("2019-06-29", "quarter", "2019-Q1"),
        ("2019-12-31", "year", "2019"),
        ("2019-12-30", "year", "2018"),
    ],
)
def test_last_complete_period(as_of: str, granularity: str, expected: str) -> None:
    assert label(last_complete_period(pd.Timestamp(as_of), granularity)) == expected


def test_snapshot_dates_are_last_days() -> None:
    months = pd.period_range("2019-12", "2020-03", freq="M")
    assert [str(d) for d in snapshot_dates(months)] == ["2019-12-31", "2020-01-31", "2020-02-29", "2020-03-31"]
    quarters = pd.period_range("2019Q1", "2019Q2", freq="Q")
    assert [str(d) for d in snapshot_dates(quarters)] == ["2019-03-31", "2019-06-30"]
    assert [str(d) for d in snapshot_dates(pd.period_range("2019", "2019", freq="Y"))] == ["2019-12-31"]


def test_period_of() -> None:
    day = pd.Timestamp("2019-05-17")
    assert label(period_of(day, "month")) == "2019-05"
    assert label(period_of(day, "quarter")) == "2019-Q2"
    assert label(period_of(day, "year")) == "2019"
