"""Segment comparison (headline metrics per attribute value) and its charts.

Fixture tests/fixtures/cohorts/ as of 2024-06-30, monthly MRR Jan–Jun 2024 (spans in tests/test_cohorts.py):

    Pro:        a 100 100 100 100 100 100 | b 200 200 0 0 0 0 | d 0 100 100 150 100 100
    Team:       c  50   0   0  80  80  80 | f   0   0 60 0 0 0 | g 0   0   0   0  30  30
    (no value): e   0  40  40  40  40   0 (blank plan) | h 0 0 0 0 0 70 (not in customers.csv)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from retention.dataset import load_dataset
from retention.engine import segments
from retention.engine.metrics import Query, compute_metrics
from retention.engine.segments import COLUMNS, NO_VALUE, compare_segments
from retention.figures.segments import metric_label, segment_bars, segment_rates

FIXTURES = Path(__file__).parent / "fixtures" / "cohorts"
AS_OF = "2024-06-30"


@pytest.fixture(scope="module")
def data():
    return load_dataset(FIXTURES / "subscriptions.csv", FIXTURES / "customers.csv")


@pytest.fixture(scope="module")
def model(data):
    return data.model(AS_OF)


@pytest.fixture(scope="module")
def frame(data, model):
    return compare_segments(model, data.customers_table, "plan", Query(granularity="month"))


def test_one_row_per_value_ordered_by_mrr(frame):
    # MRR at the end of June: Pro a 100 + d 100 = 200; Team c 80 + g 30 = 110; (no value) h 70 (last anyway)
    assert list(frame.columns) == COLUMNS
    assert frame["segment"].tolist() == ["Pro", "Team", NO_VALUE]
    assert frame["mrr_end"].tolist() == [200, 110, 70]
    assert frame["period"].tolist() == ["2024-06"] * 3 and frame["periods"].tolist() == [6] * 3
    # share of MRR: 200/380, 110/380, 70/380
    assert frame["mrr_share"].tolist() == pytest.approx([200 / 3.8, 110 / 3.8, 70 / 3.8])


def test_last_period_metrics(frame):
    pro, team, none = (frame.iloc[i] for i in range(3))
    # Pro, June: start {a, d} = 2, end {a, d} = 2, no new, no churn -> CRR 100, logo churn 0;
    # MRR 200 -> 200, no movement -> NRR = GRR = 100; ARPA 200/2 = 100
    assert (pro["customers_start"], pro["customers_end"]) == (2, 2)
    assert (pro["crr"], pro["logo_churn_rate"], pro["nrr"], pro["grr"], pro["arpa"]) == (100, 0, 100, 100, 100)
    # Team, June: start {c, g}, end {c, g}; ARPA 110 / 2 = 55
    assert (team["crr"], team["arpa"]) == (100, 55)
    # (no value), June: start {e}, end {h}, h new, e churned -> CRR (1-1)/1 = 0, logo churn 1/1 = 100 %
    assert (none["crr"], none["logo_churn_rate"], none["arpa"]) == (0, 100, 70)


def test_window_averages_are_pooled(frame):
    pro = frame.iloc[0]
    # Pro per month (S, E, N, churned): Jan (0,2,2,0) Feb (2,3,1,0) Mar (3,2,0,1) Apr (2,2,0,0) May (2,2,0,0) Jun (2,2,0,0)
    # ΣS = 11, Σ(E-N) = 0+2+2+2+2+2 = 10 -> CRR avg 10/11; Σchurned = 1 -> logo churn avg 1/11
    assert pro["crr_avg"] == pytest.approx(1000 / 11)
    assert pro["logo_churn_rate_avg"] == pytest.approx(100 / 11)
    # MRR at start: Jan 0, Feb 300, Mar 400, Apr 200, May 250, Jun 200 -> Σ 1350
    # movements: Mar churn b 200, Apr expansion d 50, May contraction d 50
    # NRR avg = (1350 + 50 - 50 - 200) / 1350 = 1150/1350; GRR avg = (1350 - 50 - 200) / 1350 = 1100/1350
    assert pro["nrr_avg"] == pytest.approx(115000 / 1350)
    assert pro["grr_avg"] == pytest.approx(110000 / 1350)


def test_matches_compute_metrics_for_a_real_value(data, model, frame):
    table = compute_metrics(model, Query(granularity="month", segment=("plan", "Team")), data.customers_table)
    last = table.iloc[-1]
    team = frame.iloc[1]
    for column in ("customers_end", "crr", "nrr", "arpa", "mrr_end", "customer_lifetime_months", "ltv"):
        assert team[column] == pytest.approx(last[column], nan_ok=True)


def test_small_flag_threshold(data, model, frame, monkeypatch):
    assert frame["small"].tolist() == [True, True, True]  # 2, 2 and 1 customers at the start of June: all < 30
    monkeypatch.setattr(segments, "SMALL_SEGMENT", 2)
    lowered = compare_segments(model, data.customers_table, "plan", Query(granularity="month"))
    assert lowered["small"].tolist() == [False, False, True]  # only (no value) has fewer than 2


def test_window_and_granularity(data, model):
    # Quarter window 2024-Q1 only: Q1 snapshot Mar 31; Pro active {a, d} = 200 MRR; Team {f} 60; (no value) {e} 40
    frame = compare_segments(model, data.customers_table, "plan", Query(granularity="quarter", end="2024-Q1"))
    assert frame["period"].tolist() == ["2024-Q1"] * 3
    assert frame.set_index("segment")["mrr_end"].to_dict() == {"Pro": 200, "Team": 60, NO_VALUE: 40}
    # nothing before Q1: no customers at start, so every rate is undefined (null, not 0)
    assert frame["crr"].isna().all() and frame["crr_avg"].isna().all()


def test_empty_window(data, model):
    frame = compare_segments(model, data.customers_table, "plan", Query(granularity="year"))
    assert frame.empty and list(frame.columns) == COLUMNS


def test_unknown_attribute(data, model):
    with pytest.raises(ValueError, match="tier"):
        compare_segments(model, data.customers_table, "tier")
    with pytest.raises(ValueError, match="plan"):
        compare_segments(model, None, "plan")


def test_bar_chart_marks_small_segments(frame):
    fig = segment_bars(frame, "arpa", currency="EUR")
    bar = fig.data[0]
    assert list(bar.y) == ["Pro *", "Team *", "(no value) *"]
    assert list(bar.x) == [100, 55, 70]
    assert list(bar.text) == ["€100", "€55", "€70"]  # the currency written the reader's way, as on cards and tables
    assert "customdata[1]" in bar.hovertemplate
    assert fig.layout.title.text == "ARPA by segment"
    assert any("fewer than 30" in a.text for a in fig.layout.annotations)


def test_rates_chart(frame):
    fig = segment_rates(frame, ("nrr", "logo_churn_rate_avg"))
    assert [t.name for t in fig.data] == ["Net revenue retention (NRR)", "Logo churn rate, window average"]
    assert list(fig.data[1].y) == pytest.approx(frame["logo_churn_rate_avg"].tolist())
    assert metric_label("mrr_share") == "Share of MRR"


def test_attribute_values_per_id_first_row_wins_blanks_and_strangers_have_no_value() -> None:
    """Ids as Arrow text or numbers are looked up as text; a repeated id keeps its first row; blank, missing and
    unknown customers are "(no value)"; cells are compared stripped."""
    import numpy as np
    import pandas as pd

    from retention.engine.membership import attribute_values, members
    from retention.importing.ids import ID_DTYPE

    customers = pd.DataFrame({
        "customer_id": pd.Series(["a", "b", "c", "a", "7", "d"], dtype=ID_DTYPE),
        "plan": [" Pro ", "Basic", "", "Basic", "Pro", np.nan],
    })
    got = attribute_values(pd.Index(["a", "b", "c", "d", "x", 7], dtype=object), customers, "plan")
    assert got.tolist() == ["Pro", "Basic", NO_VALUE, NO_VALUE, NO_VALUE, "Pro"]
    assert members(pd.Index(["a", "b", "7"]), customers, ("plan", "Pro ")).tolist() == [True, False, True]
    with pytest.raises(ValueError, match="country"):
        attribute_values(pd.Index(["a"]), customers, "country")
