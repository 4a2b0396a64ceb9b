"""Engagement (METRICS.md §8): events import, cohorts, day-7, drop-off, week-8, active users, stickiness, CLI.

The fixture `events.csv` (UTC timestamps), with day numbers counted from each actor's first day:

    u1 (c1): 01-06 10:00 and 11:00, 01-13 (d7), 01-15 (d9), 03-03 (d56)
    u2 (c1): 01-06 23:30 (= 01-07 00:30 in Amsterdam), 01-14 (d8 in UTC, d7 in Amsterdam)
    c2 (no user, so the customer is the actor): 01-08 only
    u4 (c3): 01-20 (a Monday), 01-27 (d7), 03-09 (d48)
    u5 (c3): 03-05, first seen 4 days before the as-of date

The as-of date defaults to the latest event's day, 2025-03-09 (a Sunday).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from retention.cli import main
from retention.engine import engagement as E
from retention.figures.engagement import active_users_chart, cohort_heatmap, retention_curve
from retention.importing.errors import LoadError
from retention.importing.events import load_events
from retention.importing.tables import load_subscriptions

FIXTURES = Path(__file__).parent / "fixtures" / "engagement"


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return load_events((FIXTURES / "events.csv").read_bytes(), "events.csv").table


def _events(csv: str, **kwargs) -> pd.DataFrame:
    result = load_events(csv.encode(), "e.csv", **kwargs)
    assert result.rows_used + result.rows_rejected == result.rows_read
    return result.table


# --- import -----------------------------------------------------------------------------------


def test_load_events_canonical_columns_and_lean_types(events):
    assert list(events.columns) == ["timestamp", "user_id", "customer_id", "event"]
    assert str(events["timestamp"].dtype) == "datetime64[ns, UTC]"
    assert all(isinstance(events[c].dtype, pd.CategoricalDtype) for c in ("user_id", "customer_id", "event"))
    assert len(events) == 12
    assert events["timestamp"].iloc[4] == pd.Timestamp("2025-01-06 23:30", tz="UTC")


def test_load_events_rejects_with_reasons_and_accounts_for_every_row():
    csv = (
        "user,account_id,occurred_at\n"
        "u1,c1,2025-01-06 10:00\n"
        "u2,,not a date\n"
        ",,2025-01-06\n"
        "u3,,\n"
        "u4,,1736157600\n"            # Unix seconds: 2025-01-06 10:00 UTC
        "u5,,2025-01-06T10:00:00+02:00\n"  # offset honoured: 08:00 UTC
    )
    result = load_events(csv.encode(), "e.csv")
    assert result.rows_read == 6 and result.rows_used == 3 and result.rows_rejected == 3
    assert list(result.rejects["row"]) == [3, 4, 5]
    assert list(result.rejects["reason"]) == ["not a date or time", "missing user and customer id", "missing date or time"]
    stamps = list(result.table["timestamp"])
    assert stamps[1] == pd.Timestamp("2025-01-06 10:00", tz="UTC")
    assert stamps[2] == pd.Timestamp("2025-01-06 08:00", tz="UTC")


def test_load_events_needs_a_time_column():
    with pytest.raises(LoadError, match="no column for 'timestamp'"):
        load_events(b"user_id,customer_id\nu1,c1\n", "e.csv")


def test_events_keyed_by_subscription_map_to_customers_and_unknown_ids_are_rejected():
    subs = load_subscriptions((FIXTURES / "subscriptions.csv").read_bytes(), "subscriptions.csv").table
    result = load_events((FIXTURES / "usage_by_subscription.csv").read_bytes(), "usage.csv", subscriptions=subs)
    # 6 rows: S-1 twice -> A, S-2 -> B, S-9 unknown, S-5 -> E, one without a subscription id.
    assert result.rows_read == 6 and result.rows_used == 4 and result.rows_rejected == 2
    assert list(result.table["customer_id"].astype(str)) == ["A", "A", "B", "E"]
    assert list(result.table["event"].astype(str)) == ["feature_1", "feature_2", "feature_1", "feature_3"]
    assert list(result.rejects["row"]) == [5, 7]
    assert result.rejects["reason"].iloc[0] == "unknown subscription id (not in the subscriptions file)"
    assert result.rejects["value"].iloc[0] == "S-9"
    assert result.rejects["reason"].iloc[1] == "missing subscription id"


def test_events_keyed_by_subscription_without_subscriptions_is_a_clear_error():
    with pytest.raises(LoadError, match="load the subscriptions file"):
        load_events((FIXTURES / "usage_by_subscription.csv").read_bytes(), "usage.csv")


# --- cohorts -----------------------------------------------------------------------------------


def test_weekly_cohorts_are_labelled_by_monday_and_ragged(events):
    cohorts = E.engagement_cohorts(events, "week")
    # Weeks (Mon): 01-06 … 03-03 = 9 weeks.  Cohort 01-06: u1, u2, c2 (c2's 01-08 is a Wednesday).
    # Ages: 0 all three; 1 (01-13..19) u1 + u2; 8 (03-03..09) u1.  Cohort 01-20: u4, ages 0, 1, 6 (03-03..09).
    # Cohort 03-03: u5.  The week of 01-13 saw nobody new, so it has no cohort.
    assert [c["cohort"] for c in cohorts] == ["2025-01-06", "2025-01-20", "2025-03-03"]
    assert [c["size"] for c in cohorts] == [3, 1, 1]
    assert cohorts[0]["values"] == [3, 2, 0, 0, 0, 0, 0, 0, 1]
    assert cohorts[1]["values"] == [1, 1, 0, 0, 0, 0, 1]  # 7 weeks exist up to the as-of week, not 9
    assert cohorts[2]["values"] == [1]
    # percent = value / size x 100: 2/3 = 66.67, 1/3 = 33.33
    assert cohorts[0]["percent"] == pytest.approx([100, 200 / 3, 0, 0, 0, 0, 0, 0, 100 / 3])


def test_monthly_cohorts(events):
    cohorts = E.engagement_cohorts(events, "month")
    # January: u1, u2, c2, u4 (4); none active in February; March: u1 (03-03) and u4 (03-09).  March: u5.
    assert [(c["cohort"], c["size"], c["values"]) for c in cohorts] == [("2025-01", 4, [4, 0, 2]), ("2025-03", 1, [1])]
    assert cohorts[0]["percent"] == [100.0, 0.0, 50.0]


def test_daily_cohorts_and_time_zone_edge(events):
    utc = {c["cohort"]: c for c in E.engagement_cohorts(events, "day")}
    # UTC: u1 and u2 both first seen on 01-06; 01-06 .. 03-09 is 25 + 28 + 9 = 62 days after, so 63 cells.
    assert utc["2025-01-06"]["size"] == 2 and len(utc["2025-01-06"]["values"]) == 63
    # age 7 = 01-13 (u1), age 8 = 01-14 (u2), age 9 = 01-15 (u1), age 56 = 03-03 (u1)
    values = utc["2025-01-06"]["values"]
    assert (values[7], values[8], values[9], values[56]) == (1, 1, 1, 1)
    assert len(utc["2025-03-05"]["values"]) == 5  # 03-05 .. 03-09
    # Europe/Amsterdam (UTC+1 in winter): u2's 23:30 UTC event is 00:30 on 01-07.
    ams = {c["cohort"]: c for c in E.engagement_cohorts(events, "day", tz="Europe/Amsterdam")}
    assert ams["2025-01-06"]["size"] == 1 and ams["2025-01-07"]["size"] == 1
    assert ams["2025-01-07"]["values"][7] == 1  # u2's 01-14 11:00 local is exactly day 7


def test_cells_after_the_as_of_period_do_not_exist(events):
    cohorts = E.engagement_cohorts(events, "week", as_of="2025-01-21")
    # Events after 01-21 are ignored: cohort 01-06 has ages 0..2 (weeks 01-06, 01-13, 01-20), cohort 01-20 age 0.
    assert [(c["cohort"], c["values"]) for c in cohorts] == [("2025-01-06", [3, 2, 0]), ("2025-01-20", [1])]


# --- headline rates ----------------------------------------------------------------------------


def test_day_7_retention_excludes_actors_too_close_to_as_of(events):
    # Eligible (first day + 7 <= 03-09): u1, u2, c2, u4; u5 (03-05 + 7 = 03-12) is not.
    # Event on exactly day 7: u1 (01-13), u4 (01-27); u2's next day is day 8 in UTC.  2 / 4 = 50 %.
    assert E.day_7_retention(events) == pytest.approx(50.0)
    # In Amsterdam u2's first day is 01-07 and 01-14 is its day 7: 3 / 4 = 75 %.
    assert E.day_7_retention(events, tz="Europe/Amsterdam") == pytest.approx(75.0)


def test_drop_off_7d(events):
    # Eligible (first day + 13 <= 03-09): u1, u2, c2, u4.  Silent on days 7..13: only c2.  1 / 4 = 25 %.
    assert E.drop_off_7d(events) == pytest.approx(25.0)
    # As of 01-19 only u1 and u2 (01-06 + 13 = 01-19) are eligible; both came back (d7, d8): 0 %.
    assert E.drop_off_7d(events, as_of="2025-01-19") == 0.0
    # As of 01-18 nobody has reached day 13: null, not 0.
    assert E.drop_off_7d(events, as_of="2025-01-18") is None


def test_week_8_retention(events):
    # Only cohort 01-06 (u1, u2, c2) has a complete week 8 (03-03..03-09, ends on the as-of Sunday).
    # Active in it: u1.  1 / 3 = 33.33 %.  Cohort 01-20's week 8 (03-17..) is after the as-of date.
    assert E.week_8_retention(events) == pytest.approx(100 / 3)
    # As of Saturday 03-08 that week is not over: no eligible cohort, null.
    assert E.week_8_retention(events, as_of="2025-03-08") is None


def test_rates_are_null_without_eligible_actors():
    events = _events("user_id,timestamp\nu1,2025-01-01T10:00:00Z\n")
    assert E.day_7_retention(events) is None
    assert E.drop_off_7d(events) is None
    assert E.week_8_retention(events) is None


def test_day_n_curve(events):
    curve = E.day_n_curve(events, days=10).set_index("day")
    # days from first day to 03-09: u1 62, u2 62, c2 60, u4 48, u5 4 -> eligible 5 for N <= 4, 4 for N >= 5.
    assert list(curve["eligible"]) == [5] * 5 + [4] * 6
    # retained: N=0 all five; N=7 u1, u4; N=8 u2; N=9 u1.
    assert list(curve["retained"]) == [5, 0, 0, 0, 0, 0, 0, 2, 1, 1, 0]
    assert curve.loc[7, "retention"] == pytest.approx(50.0)
    assert curve.loc[8, "retention"] == pytest.approx(25.0)


def test_week_n_curve_matches_week_8(events):
    curve = E.week_n_curve(events, weeks=8).set_index("week")
    # Cohort 01-06 (3 actors) has 9 complete weeks (ages 0..8); cohort 01-20 (u4) ages 0..6 (03-03..09 is age 6);
    # cohort 03-03 (u5) age 0.  Eligible: age 0: 5; ages 1..6: 4; ages 7, 8: 3.
    assert list(curve["eligible"]) == [5, 4, 4, 4, 4, 4, 4, 3, 3]
    # Retained: age 1: u1, u2, u4 = 3; age 6: u4 = 1; age 8: u1 = 1.
    assert list(curve["retained"]) == [5, 3, 0, 0, 0, 0, 1, 0, 1]
    assert curve.loc[8, "retention"] == pytest.approx(E.week_8_retention(events))


# --- active users and stickiness --------------------------------------------------------------


def test_active_users_trailing_windows(events):
    daily = E.active_users(events).set_index("date")
    assert daily.index[0] == pd.Timestamp("2025-01-06") and daily.index[-1] == pd.Timestamp("2025-03-09")
    assert daily.loc["2025-01-06", "dau"] == 2  # u1 (twice, counted once) and u2
    assert daily.loc["2025-01-13", "wau"] == 2  # 01-07..01-13: c2 (01-08), u1 (01-13)
    assert daily.loc["2025-01-14", "wau"] == 3  # 01-08..01-14: c2, u1, u2
    assert daily.loc["2025-02-05", "mau"] == 4  # 01-07..02-05: u1, u2, c2, u4
    assert daily.loc["2025-02-14", "mau"] == 1  # 01-16..02-14: u4 only
    assert daily.loc["2025-03-09", "mau"] == 3  # 02-08..03-09: u1, u5, u4


def test_monthly_stickiness(events):
    table = E.stickiness(events).set_index("period")
    # January: data from 01-06, so 26 days; daily actives 2 + 1 + 1 + 1 + 1 + 1 + 1 = 8; MAU 4.
    # stickiness = (8 / 26) / 4 x 100 = 7.6923 %
    assert table.loc["2025-01", "days"] == 26 and table.loc["2025-01", "mau"] == 4
    assert table.loc["2025-01", "stickiness"] == pytest.approx(8 / 26 / 4 * 100)
    assert bool(table.loc["2025-01", "complete"])
    # February: nobody active, MAU 0: null.
    assert np.isnan(table.loc["2025-02", "stickiness"])
    # March 1..9: 3 active days with one actor each, MAU 3: (3 / 9) / 3 x 100 = 11.11 %, not complete.
    assert table.loc["2025-03", "stickiness"] == pytest.approx(100 / 9)
    assert not bool(table.loc["2025-03", "complete"])


def test_active_per_period(events):
    weekly = E.active_per_period(events, "week")
    assert list(weekly["period"])[:3] == ["2025-01-06", "2025-01-13", "2025-01-20"]
    assert list(weekly["active"]) == [3, 2, 1, 1, 0, 0, 0, 0, 3]


def test_bare_dates_stay_on_their_day_in_any_time_zone():
    events = _events("customer_id,date\nc1,2025-01-06\nc1,2025-01-13\n")
    # Midnight UTC would be the evening before in New York; a bare date must not move.
    assert E.day_7_retention(events, tz="America/New_York") == 100.0
    assert E.engagement_cohorts(events, "day", tz="America/New_York")[0]["cohort"] == "2025-01-06"


def test_unknown_time_zone_is_a_value_error(events):
    with pytest.raises(ValueError, match="unknown time zone"):
        E.day_7_retention(events, tz="Mars/Olympus")


def test_activity_is_reused_and_matches_direct_calls(events):
    activity = E.build_activity(events, tz="Europe/Amsterdam")
    assert E.day_7_retention(activity) == E.day_7_retention(events, tz="Europe/Amsterdam")
    with pytest.raises(ValueError):
        E.day_7_retention(activity, tz="UTC+1")


def test_many_events_aggregate_without_loops():
    """A larger random log (no timing): cohort sizes add up to the number of actors."""
    rng = np.random.default_rng(3)
    n = 200_000
    stamps = pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 120 * 86_400, n), unit="s")
    users = pd.Categorical.from_codes(rng.integers(0, 5_000, n), [f"u{i}" for i in range(5_000)])
    events = pd.DataFrame({"timestamp": stamps, "user_id": users, "customer_id": users})
    cohorts = E.engagement_cohorts(events, "week")
    assert sum(c["size"] for c in cohorts) == events["user_id"].nunique()


# --- figures and CLI ----------------------------------------------------------------------------


def test_figures_build(events):
    cohorts = E.engagement_cohorts(events, "week")
    heat = cohort_heatmap(cohorts, "week")
    assert isinstance(heat, go.Figure) and heat.data[0].z.shape == (3, 9)
    assert np.isnan(heat.data[0].z[2, 1])  # missing cells stay blank
    curve = retention_curve(E.day_n_curve(events, 60), E.week_n_curve(events, 8))
    assert {shape.y0 for shape in curve.layout.shapes} == {7.0, 35.0}
    users = active_users_chart(E.active_users(events), E.stickiness(events))
    assert [trace.name for trace in users.data][-1].startswith("Stickiness")


def test_cli_engagement_json(capsys):
    code = main(["engagement", "--events", str(FIXTURES / "events.csv"), "--interval", "week", "--format", "json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    # issue 14: the JSON also says how each file was read
    assert list(out) == ["cohorts", "day_7_retention", "drop_off_7d", "week_8_retention", "files"]
    assert out["cohorts"][0] == {
        "cohort": "2025-01-06", "size": 3, "values": [3, 2, 0, 0, 0, 0, 0, 0, 1],
        "percent": [100.0, 66.6666666667, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 33.3333333333],
    }
    assert [c["cohort"] for c in out["cohorts"]] == ["2025-01-06", "2025-01-20", "2025-03-03"]
    assert out["day_7_retention"] == 50.0 and out["drop_off_7d"] == 25.0
    assert out["week_8_retention"] == pytest.approx(33.3333333333)


def test_cli_engagement_as_of_and_nulls(capsys):
    code = main(["engagement", "--events", str(FIXTURES / "events.csv"), "--as-of", "2025-01-10", "--format", "json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["day_7_retention"] is None and out["drop_off_7d"] is None and out["week_8_retention"] is None
    assert [c["cohort"] for c in out["cohorts"]] == ["2025-01-06", "2025-01-08"]


def test_cli_engagement_by_subscription_and_rejects(tmp_path, capsys):
    rejects = tmp_path / "rejects.csv"
    code = main([
        "engagement", "--events", str(FIXTURES / "usage_by_subscription.csv"),
        "--subscriptions", str(FIXTURES / "subscriptions.csv"), "--format", "json", "--rejects", str(rejects),
    ])
    captured = capsys.readouterr()
    assert code == 0
    assert "usage_by_subscription.csv: 2 of 6 rows rejected" in captured.err
    assert len(pd.read_csv(rejects)) == 2
    out = json.loads(captured.out)
    # Actors are customers A (01-06, 01-13), B (01-07), E (01-09): daily cohorts, A's day 7 = 01-13.
    assert [(c["cohort"], c["size"]) for c in out["cohorts"]] == [("2025-01-06", 1), ("2025-01-07", 1), ("2025-01-09", 1)]
    assert out["cohorts"][0]["values"] == [1, 0, 0, 0, 0, 0, 0, 1]


def test_cli_engagement_bad_time_zone_is_one_error_line(capsys):
    code = main(["engagement", "--events", str(FIXTURES / "events.csv"), "--tz", "Nowhere/City"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: unknown time zone") and err.count("\n") == 1
