"""Feedback (METRICS.md §9): surveys import, NPS and CSAT per period, churn by NPS group, figures, CLI.

Fixture `surveys.csv` (NPS unless marked csat):

    X 01-10 0 (unknown customer)   A 01-15 10   B 01-20 3   C 01-31 5   C 02-28 6   D 02-10 8
    E 04-15 7   E 05-01 9          csat: A 01-05 5, B 01-06 4, C 01-07 2, E 04-02 3

Fixture `subscriptions.csv` (end exclusive): A from 2024-10-01 open; B 2024-10-01..2025-03-15;
C 2024-10-01..2025-05-10; D from 2025-02-01 open; E from 2024-10-01 open.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from retention.cli import main
from retention.engine.feedback import (
    churn_by_group,
    csat_overall,
    detractor_comments,
    feedback_table,
    nps_overall,
    response_outcomes,
)
from retention.engine.snapshots import build_model
from retention.figures.feedback import churn_by_group_chart, csat_trend, nps_trend
from retention.importing.surveys import load_surveys
from retention.importing.tables import load_subscriptions

FIXTURES = Path(__file__).parent / "fixtures" / "engagement"
AS_OF = pd.Timestamp("2025-06-30")


@pytest.fixture(scope="module")
def surveys() -> pd.DataFrame:
    return load_surveys((FIXTURES / "surveys.csv").read_bytes(), "surveys.csv").table


@pytest.fixture(scope="module")
def model():
    subs = load_subscriptions((FIXTURES / "subscriptions.csv").read_bytes(), "subscriptions.csv").table
    return build_model(subs, AS_OF)


def _surveys(csv: str):
    result = load_surveys(csv.encode(), "s.csv")
    assert result.rows_used + result.rows_rejected == result.rows_read
    return result


# --- import -----------------------------------------------------------------------------------


def test_load_surveys_canonical(surveys):
    assert list(surveys.columns) == ["customer_id", "date", "score", "kind", "comment"]
    assert list(surveys["kind"].astype(str)) == ["nps"] * 8 + ["csat"] * 4  # "NPS" in row 6 is nps too
    assert surveys["date"].iloc[0] == pd.Timestamp("2025-01-10")


def test_kind_inferred_from_score_range_or_column_name():
    assert set(_surveys("customer_id,date,score\na,2025-01-01,1\nb,2025-01-02,5\n").table["kind"].astype(str)) == {"csat"}
    assert set(_surveys("customer_id,date,score\na,2025-01-01,0\nb,2025-01-02,5\n").table["kind"].astype(str)) == {"nps"}
    assert set(_surveys("customer_id,date,score\na,2025-01-01,4\nb,2025-01-02,9\n").table["kind"].astype(str)) == {"nps"}
    # A column named for NPS settles a 1..5 file as NPS.
    assert set(_surveys("account_id,submitted_at,nps_score\na,2025-01-01,4\n").table["kind"].astype(str)) == {"nps"}


def test_load_surveys_rejects_with_reasons():
    result = _surveys(
        "customer_id,date,score,kind\n"
        "a,2025-01-01,11,nps\n"    # row 2: above 10
        "b,2025-01-01,7.5,nps\n"   # row 3: not whole
        "c,2025-01-01,0,csat\n"    # row 4: CSAT starts at 1
        "d,someday,5,nps\n"        # row 5: bad date
        ",2025-01-01,5,nps\n"      # row 6: no customer
        "f,2025-01-01,,nps\n"      # row 7: no score
        "g,2025-01-01,5,stars\n"   # row 8: unknown kind
        "h,2025-01-01,10,nps\n"    # row 9: fine
    )
    assert (result.rows_read, result.rows_used, result.rows_rejected) == (8, 1, 7)
    reasons = dict(zip(result.rejects["row"], result.rejects["reason"], strict=True))
    assert reasons == {
        2: "NPS scores are whole numbers from 0 to 10",
        3: "NPS scores are whole numbers from 0 to 10",
        4: "CSAT scores are whole numbers from 1 to 5",
        5: "not a date",
        6: "missing customer id",
        7: "missing score",
        8: "unknown survey kind (use nps or csat)",
    }


# --- NPS and CSAT per period --------------------------------------------------------------------


def test_monthly_nps_and_csat(surveys):
    table = feedback_table(surveys, "month", as_of=AS_OF).set_index("period")
    assert list(table.index) == ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"]
    # January NPS: X 0, A 10, B 3, C 5 -> 1 promoter, 0 passives, 3 detractors; (1 - 3) / 4 x 100 = -50.
    assert tuple(table.loc["2025-01", ["responses", "promoters", "passives", "detractors"]]) == (4, 1, 0, 3)
    assert table.loc["2025-01", "nps"] == pytest.approx(-50.0)
    # February: C 6 (detractor), D 8 (passive): (0 - 1) / 2 x 100 = -50.
    assert table.loc["2025-02", "nps"] == pytest.approx(-50.0)
    # March: no answers: counts 0, NPS and CSAT null.
    assert table.loc["2025-03", "responses"] == 0 and np.isnan(table.loc["2025-03", "nps"]) and np.isnan(table.loc["2025-03", "csat"])
    # April: E 7 passive -> NPS 0.  May: E 9 promoter -> NPS 100.  June: nothing yet.
    assert table.loc["2025-04", "nps"] == 0.0 and table.loc["2025-05", "nps"] == 100.0
    assert np.isnan(table.loc["2025-06", "nps"])
    # CSAT January: 5, 4, 2 -> 2 of 3 are 4-5 = 66.67 %; April: 3 -> 0 %; February: none -> null.
    assert table.loc["2025-01", "csat_responses"] == 3
    assert table.loc["2025-01", "csat"] == pytest.approx(200 / 3)
    assert table.loc["2025-04", "csat"] == 0.0
    assert np.isnan(table.loc["2025-02", "csat"])


def test_quarterly_and_yearly_nps(surveys):
    quarters = feedback_table(surveys, "quarter").set_index("period")
    # Q1: promoters A; passives D; detractors X, B, C, C -> (1 - 4) / 6 x 100 = -50.  Q2: E 7, E 9 -> (1 - 0) / 2 = 50.
    assert list(quarters.index) == ["2025-Q1", "2025-Q2"]
    assert quarters.loc["2025-Q1", "nps"] == pytest.approx(-50.0)
    assert quarters.loc["2025-Q2", "nps"] == pytest.approx(50.0)
    year = feedback_table(surveys, "year").set_index("period")
    # 8 answers: promoters A, E(9) = 2; detractors 4 -> (2 - 4) / 8 x 100 = -25.
    assert year.loc["2025", "nps"] == pytest.approx(-25.0)
    assert year.loc["2025", "csat"] == pytest.approx(50.0)  # 2 of 4 CSAT answers are 4-5


def test_nps_edges_minus_100_and_100():
    detractors = _surveys("customer_id,date,score\na,2025-01-01,0\nb,2025-01-02,6\n").table
    assert feedback_table(detractors)["nps"].iloc[0] == -100.0
    promoters = _surveys("customer_id,date,score,kind\na,2025-01-01,9,nps\nb,2025-01-02,10,nps\n").table
    assert feedback_table(promoters)["nps"].iloc[0] == 100.0
    # Group boundaries: 6 detractor, 7 and 8 passives, 9 promoter -> (1 - 1) / 4 = 0.
    edges = _surveys("customer_id,date,score\na,2025-01-01,6\nb,2025-01-01,7\nc,2025-01-01,8\nd,2025-01-01,9\n").table
    row = feedback_table(edges).iloc[0]
    assert (row["promoters"], row["passives"], row["detractors"], row["nps"]) == (1, 2, 1, 0.0)


def test_overall_scores(surveys):
    assert nps_overall(surveys) == pytest.approx(-25.0)  # as the yearly row
    assert csat_overall(surveys) == pytest.approx(50.0)
    assert nps_overall(surveys[surveys["kind"] == "csat"]) is None


def test_detractor_comments_newest_first(surveys):
    comments = detractor_comments(surveys)
    # Detractors with a comment: X 01-10, B 01-20, C 02-28 (C's 01-31 answer has none).
    assert list(comments["customer_id"]) == ["C", "B", "X"]
    assert comments["comment"].iloc[0] == "slow support"


# --- churn by NPS group ---------------------------------------------------------------------------


def test_churn_by_group(surveys, model):
    groups = churn_by_group(surveys, model)
    # Snapshots run 2024-10 .. 2025-06 (as of 06-30).  Followed responses:
    #   A 01-15 (10): snapshot 12-31 active; Jan, Feb, Mar active -> promoter, stayed.
    #   B 01-20 (3): snapshot 12-31; B ends 03-15 so inactive at 03-31 -> detractor, churned.
    #   C 01-31 (5): a month-end, so the snapshot is 01-31 itself; Feb, Mar, Apr active (ends 05-10) -> stayed.
    #   C 02-28 (6): snapshot 02-28; Mar, Apr active, May 31 inactive -> churned.
    #   E 04-15 (7): snapshot 03-31; Apr, May, Jun all on or before 06-30 -> passive, stayed.
    # Not followed: X (not a customer), D 02-10 (not yet paying at 01-31), E 05-01 (its third snapshot, 07-31, is after the as-of).
    assert groups == {
        "promoters": {"responses": 1, "churned": 0, "churn_rate": 0.0},
        "passives": {"responses": 1, "churned": 0, "churn_rate": 0.0},
        "detractors": {"responses": 3, "churned": 2, "churn_rate": pytest.approx(200 / 3)},
    }


def test_churn_by_group_needs_three_snapshots_after(surveys):
    subs = load_subscriptions((FIXTURES / "subscriptions.csv").read_bytes(), "subscriptions.csv").table
    early = build_model(subs, pd.Timestamp("2025-04-29"))  # snapshots up to 03-31
    outcomes = response_outcomes(surveys, early)
    # Only A and B (snapshot 12-31, followed through 03-31) can be followed.
    assert list(outcomes["customer_id"]) == ["A", "B"]
    assert list(outcomes["churned"]) == [False, True]
    groups = churn_by_group(surveys, early)
    assert groups["passives"] == {"responses": 0, "churned": 0, "churn_rate": None}


# --- figures and CLI ----------------------------------------------------------------------------


def test_figures_build(surveys, model):
    table = feedback_table(surveys, "month", as_of=AS_OF)
    nps = nps_trend(table)
    assert [t.type for t in nps.data] == ["bar", "bar", "bar", "scatter"]
    # January shares: detractors 3/4 = 75 %, passives 0, promoters 25 %.
    assert nps.data[0].y[0] == 75.0 and nps.data[2].y[0] == 25.0
    assert csat_trend(table).data[1].y[0] == pytest.approx(200 / 3)
    bars = churn_by_group_chart(churn_by_group(surveys, model))
    assert list(bars.data[0].text) == ["0 of 1", "0 of 1", "2 of 3"]


def test_cli_feedback_json_with_subscriptions(capsys):
    code = main([
        "feedback", "--surveys", str(FIXTURES / "surveys.csv"), "--subscriptions", str(FIXTURES / "subscriptions.csv"),
        "--period", "quarter", "--format", "json",
    ])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["rows"][0] == {
        "period": "2025-Q1", "responses": 6, "promoters": 1, "passives": 1, "detractors": 4, "nps": -50.0,
        "csat_responses": 3, "csat": 66.6666666667,
    }
    # The subscriptions' own as-of is their latest date, 2025-05-10: snapshots through 2025-04-30, so
    # E's 04-15 answer (needs 06-30) is not followed; the detractors are B (churned) and C 01-31 (stayed).
    # C 02-28 needs 05-31: not followed either.
    assert out["churn_by_group"] == {
        "promoters": {"responses": 1, "churned": 0, "churn_rate": 0.0},
        "passives": {"responses": 0, "churned": 0, "churn_rate": None},
        "detractors": {"responses": 2, "churned": 1, "churn_rate": 50.0},
    }


def test_cli_feedback_without_subscriptions_has_null_churn(capsys):
    code = main(["feedback", "--surveys", str(FIXTURES / "surveys.csv"), "--format", "json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert [r["period"] for r in out["rows"]] == ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05"]
    assert out["churn_by_group"]["detractors"] == {"responses": None, "churned": None, "churn_rate": None}


def test_cli_feedback_as_of_follows_more_responses(capsys):
    code = main([
        "feedback", "--surveys", str(FIXTURES / "surveys.csv"), "--subscriptions", str(FIXTURES / "subscriptions.csv"),
        "--as-of", "2025-06-30", "--format", "json",
    ])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["churn_by_group"]["detractors"] == {"responses": 3, "churned": 2, "churn_rate": pytest.approx(200 / 3)}
