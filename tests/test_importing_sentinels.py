"""Far-future end dates that mean "still running" are open ends, reported; real scheduled ends stay."""

from __future__ import annotations

import pandas as pd

from retention.dataset import Dataset
from retention.importing import load_subscriptions
from retention.importing.sentinels import far_future

TEXT = (
    "customer_id,start_date,end_date,mrr\n"
    "a,2023-01-01,9999-12-31,10\n"
    "b,2023-02-01,01/01/2050,20\n"
    "c,2023-03-01,2050-01-01,30\n"
    "d,2023-01-01,2023-06-01,40\n"
    "e,2023-04-01,,50\n"
)


def test_sentinels_are_open_and_reported():
    result = load_subscriptions(TEXT.encode(), "s.csv")
    ends = result.table.set_index("customer_id")["end_date"]
    assert ends[["a", "b", "c", "e"]].isna().all() and ends["d"] == pd.Timestamp("2023-06-01")
    assert result.rows_rejected == 0
    assert result.open_end_sentinels == {"9999-12-31": 1, "01/01/2050": 1, "2050-01-01": 1}


def test_default_as_of_is_the_last_real_date():
    data = Dataset(load_subscriptions(TEXT.encode(), "s.csv"))
    assert data.default_as_of() == pd.Timestamp("2023-06-01")  # not today, not 2050


def test_near_future_scheduled_end_stays():
    today = pd.Timestamp.now().normalize()
    soon = (today + pd.DateOffset(months=6)).strftime("%Y-%m-%d")
    contract = (today + pd.DateOffset(years=3)).strftime("%Y-%m-%d")
    start = (today - pd.DateOffset(months=2)).strftime("%Y-%m-%d")
    text = f"customer_id,start_date,end_date,mrr\na,{start},{soon},10\nb,{start},{contract},20\nc,{start},2099-12-31,5\n"
    result = load_subscriptions(text.encode(), "s.csv")
    ends = result.table.set_index("customer_id")["end_date"]
    assert ends["a"] == pd.Timestamp(soon) and ends["b"] == pd.Timestamp(contract) and pd.isna(ends["c"])
    assert result.open_end_sentinels == {"2099-12-31": 1}


def test_far_future_rule_against_a_fixed_today():
    start = pd.Series(pd.to_datetime(["2019-01-01", "2019-06-01", "2019-06-01"]))
    end = pd.Series(pd.to_datetime(["2019-12-01", "2026-01-01", "2023-01-01"]))
    # last real date 2019-12-01: 2026 is more than 5 years after it and after "today" (2020-01-01);
    # 2023 is a scheduled end within 5 years
    assert far_future(start, end, pd.Timestamp("2020-01-01")).tolist() == [False, True, False]
    # seen from 2027, both ends are in the past: history, not placeholders
    assert far_future(start, end, pd.Timestamp("2027-01-01")).tolist() == [False, False, False]
