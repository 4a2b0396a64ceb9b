"""At-risk accounts: usage fall (last 4 weeks vs the 8 before, weekly averages) or a recent NPS detractor.

As of Sunday 2025-03-30: the last 4 weeks are 03-03..03-30 (Mondays 03-03, 10, 17, 24), the 8 weeks
before are 01-06..03-02 (Mondays 01-06 … 02-24).  Snapshot MRR is that of 2025-02-28, the last
complete month.
"""

from __future__ import annotations

import pandas as pd
import pytest

from retention.engine.at_risk import at_risk_accounts
from retention.engine.snapshots import build_model
from retention.report.at_risk import with_reasons

AS_OF = pd.Timestamp("2025-03-30")
PREVIOUS_MONDAYS = pd.date_range("2025-01-06", "2025-02-24", freq="7D")  # 8 Mondays
RECENT_MONDAYS = pd.date_range("2025-03-03", "2025-03-24", freq="7D")  # 4 Mondays


def _events() -> pd.DataFrame:
    per_week = {  # customer: (events per previous Monday, events per recent Monday)
        "big": (4, 1),       # 4/week -> 1/week: -75 %
        "steady": (2, 2),    # 0 %
        "half": (2, 1),      # -50 %: not *more* than half
        "unhappy": (3, 3),
        "gone": (5, 0),      # -100 %, but no longer paying
        "newbie": (0, 3),    # no baseline: never "falling"
    }
    rows = []
    for customer, (before, after) in per_week.items():
        rows += [(customer, day) for day in PREVIOUS_MONDAYS for _ in range(before)]
        rows += [(customer, day) for day in RECENT_MONDAYS for _ in range(after)]
    frame = pd.DataFrame(rows, columns=["customer_id", "timestamp"])
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True) + pd.Timedelta(hours=9)
    frame["customer_id"] = frame["customer_id"].astype("category")
    frame["user_id"] = pd.Categorical([None] * len(frame))
    return frame


def _surveys() -> pd.DataFrame:
    rows = [
        ("unhappy", "2025-03-01", 4),    # detractor within 90 days
        ("big", "2025-03-20", 6),        # detractor too
        ("steady", "2025-02-01", 3),     # detractor, then ...
        ("steady", "2025-03-15", 9),     # ... a promoter: the latest answer counts
        ("half", "2024-11-01", 2),       # older than 90 days (03-30 - 90 = 2024-12-30)
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "date", "score"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["kind"] = "nps"
    frame["comment"] = ""
    return frame


def _model():
    customers = ["big", "steady", "half", "unhappy", "gone", "newbie"]
    subs = pd.DataFrame(
        {
            "customer_id": customers,
            "start_date": pd.to_datetime(["2024-10-01"] * 6),
            "end_date": pd.to_datetime([None, None, None, None, "2025-02-10", None]),
            "mrr": [500.0, 300.0, 200.0, 100.0, 900.0, 50.0],
        }
    )
    return build_model(subs, AS_OF)


def test_at_risk_accounts_biggest_mrr_first_with_reasons():
    table = with_reasons(at_risk_accounts(_events(), _surveys(), _model(), drop_share=0.5, as_of=AS_OF))
    assert list(table["customer_id"]) == ["big", "unhappy"]
    big = table.iloc[0]
    # big: 32 events over 8 weeks = 4/week; 4 over 4 weeks = 1/week; (1 - 4) / 4 x 100 = -75 %.
    assert (big["mrr"], big["previous_weekly_events"], big["recent_weekly_events"]) == (500.0, 4.0, 1.0)
    assert big["usage_change"] == pytest.approx(-75.0)
    assert big["reasons"] == (
        "usage down 75 % (last 4 weeks against the 8 weeks before); NPS detractor (scored 6 on 2025-03-20)"
    )
    unhappy = table.iloc[1]
    assert unhappy["mrr"] == 100.0 and unhappy["usage_change"] == 0.0 and not unhappy["usage_falling"]
    assert unhappy["reasons"] == "NPS detractor (scored 4 on 2025-03-01)"


def test_at_risk_threshold_is_strict_and_adjustable():
    # half fell by exactly 50 %: listed only when the chosen share is below 0.5.
    table = at_risk_accounts(_events(), _surveys(), _model(), drop_share=0.4, as_of=AS_OF)
    assert list(table["customer_id"]) == ["big", "half", "unhappy"]


def test_at_risk_without_model_or_surveys():
    table = at_risk_accounts(_events(), as_of=AS_OF)
    # Without subscriptions, the churned "gone" (-100 %) is listed too; MRR unknown, steepest fall first.
    assert list(table["customer_id"]) == ["gone", "big"]
    assert table["mrr"].isna().all()
    assert at_risk_accounts(None, None).empty


def test_at_risk_rejects_a_share_outside_0_1():
    with pytest.raises(ValueError):
        at_risk_accounts(_events(), drop_share=1.5)


def test_too_little_earlier_usage_is_not_a_fall():
    # 'sparse': 3 events in the earlier 8 weeks (fewer than the default minimum of 4), none since.
    events = pd.DataFrame({"customer_id": pd.Categorical(["sparse"] * 3), "timestamp": pd.to_datetime(PREVIOUS_MONDAYS[:3], utc=True)})
    assert at_risk_accounts(events, as_of=AS_OF).empty
    flagged = at_risk_accounts(events, as_of=AS_OF, min_previous_events=3)
    # 3 events / 8 weeks = 0.375 a week -> 0: -100 %.
    assert list(flagged["usage_change"]) == [-100.0]
