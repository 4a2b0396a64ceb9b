"""Every metric of METRICS.md §3–§5 pinned to numbers worked out by hand from the contract.

The fixtures are tiny CSVs under tests/fixtures/metrics/ read through the importer, so monthly
normalisation, trials and free spans are exercised on the way in.  The arithmetic is in the
comments; nothing here is derived from the engine's own code.

Fixture `subscriptions.csv` (amount + interval, so MRR = amount × quantity / months):

    A  a1 2019-01-15 → 2020-03-01  100/month                  mid-month start, churns Mar 2020
    B  b1 2019-01-10 → open         50/month                  two subscriptions at once…
    B  b2 2019-02-20 → 2019-04-15   30/month                  …ending b2 is contraction, not churn
    C  c1 2019-02-01 → 2019-05-10 1200/year = 100             annual plan, churns in May…
    C  c2 2019-06-05 → open         40/month                  …and comes back in June (reactivation)
    D  d1 2019-03-01 → open         60/month, trial_end 2019-04-15   no MRR before the trial ends
    E  e1 2019-01-05 → open          0/month                  free span: not a customer…
    E  e2 2019-05-03 → open         20/month                  …so E is new in May
    F  f1 2019-01-20 → 2019-03-15   10/month                  mid-month start and end
    G  g1 2019-02-10 → 2019-06-01   25/month × quantity 2 = 50
    H  h1 2020-02-14 → open         70/month
    I  i1 2019-03-01 → 2020-03-01 1200/year = 100             annual renewal on the same day…
    I  i2 2020-03-01 → open       1320/year = 110             …at a higher price (expansion)

Customer MRR at each month-end snapshot (a span counts when start <= day < end):

    month    A   B   C   D   E   F   G   H   I    total  active
    2019-01 100  50   .   .   .  10   .   .   .     160  3
    2019-02 100  80 100   .   .  10  50   .   .     340  5
    2019-03 100  80 100   .   .   .  50   . 100     430  5   (D in trial; F ended 03-15)
    2019-04 100  50 100  60   .   .  50   . 100     460  6   (b2 ended 04-15; D pays from 04-15)
    2019-05 100  50   .  60  20   .  50   . 100     380  6   (c1 ended 05-10; G still runs on 05-31)
    2019-06 100  50  40  60  20   .   .   . 100     370  6   (g1 ended 06-01)
    2019-07 … 2020-01 unchanged                     370  6
    2020-02 100  50  40  60  20   .   .  70 100     440  7   (Feb 29 < a1's end 03-01)
    2020-03   .  50  40  60  20   .   .  70 110     350  6
    2020-04 … 2020-12 unchanged                     350  6

Monthly logo churn (churned / S): 2019-01 null (S = 0), 02: 0/3, 03: 1/5, 04: 0/5, 05: 1/6,
06: 1/6, 07 … 2020-02: 0, 2020-03: 1/7, later 0.

Lifetime reading used below (a judgement call the contract leaves open): c is the mean over the
months of the trailing six that have a churn rate; months with S = 0 have none and are skipped,
so an early period averages the months that exist.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from retention.engine import METRIC_NAMES, Query
from retention.importing import load_customers, load_subscriptions, subscriptions_from_frame

N = None  # expected null (NaN in the DataFrame)
AS_OF = pd.Timestamp("2020-12-31")

# The contract's names, typed from METRICS.md §3–§5 (not imported from the engine).
CONTRACT_NAMES = [
    "customers_start", "customers_end", "customers_new", "customers_reactivated", "customers_churned",
    "crr", "retained_rate", "logo_churn_rate",
    "mrr_start", "mrr_end", "mrr_new", "mrr_reactivation", "mrr_expansion", "mrr_contraction", "mrr_churned",
    "nrr", "grr", "gross_mrr_churn_rate", "net_mrr_churn_rate", "arpa", "quick_ratio",
    "customer_lifetime_months", "ltv", "renewal_rate",
]


def row(counts: tuple, rates: tuple, mrr: tuple, revenue: tuple, lifetime: tuple) -> dict[str, float | None]:
    """A full expected row: (S, E, N, reactivated, churned), (crr, retained, logo churn),
    (start, end, new, reactivation, expansion, contraction, churned), (nrr, grr, gross, net, arpa, quick),
    (lifetime, ltv, renewal)."""
    values = (*counts, *rates, *mrr, *revenue, *lifetime)
    assert len(values) == len(CONTRACT_NAMES)
    return dict(zip(CONTRACT_NAMES, values, strict=True))


def load(folder: Path, name: str):
    result = load_subscriptions((folder / name).read_bytes(), name)
    assert result.rows_read == result.rows_used + result.rows_rejected
    return result


def metrics(engine_factory, folder: Path, name: str = "subscriptions.csv", as_of: str | pd.Timestamp | None = AS_OF,
            customers: pd.DataFrame | None = None, **query) -> pd.DataFrame:
    """The metrics of a fixture file, asked of the engine under test."""
    engine = engine_factory(load(folder, name).table, customers)
    return engine.metrics(Query(as_of=None if as_of is None else pd.Timestamp(as_of), **query))


def assert_row(frame: pd.DataFrame, period: str, expected: dict[str, float | None]) -> None:
    got = frame.set_index("period").loc[period]
    problems = []
    for name, want in expected.items():
        value = float(got[name])
        if want is None:
            if not math.isnan(value):
                problems.append(f"{name}: expected null, got {value}")
        elif math.isnan(value) or value != pytest.approx(want, rel=1e-9, abs=1e-9):
            problems.append(f"{name}: expected {want}, got {value}")
    assert not problems, f"{period}: " + "; ".join(problems)


def test_metric_names_are_the_contract() -> None:
    assert list(METRIC_NAMES) == CONTRACT_NAMES


def test_import_normalises_to_monthly(engine_factory, metrics_fixtures: Path) -> None:
    result = load(metrics_fixtures, "subscriptions.csv")
    assert (result.rows_read, result.rows_used, result.rows_rejected) == (13, 13, 0)
    mrr = result.table.set_index("subscription_id")["mrr"]
    assert mrr["c1"] == 100.0  # 1200 / 12
    assert mrr["i2"] == 110.0  # 1320 / 12
    assert mrr["g1"] == 50.0  # 25 × 2 seats / 1
    assert mrr["e1"] == 0.0  # free span is kept (it is a valid row) but earns nothing


def test_interval_normalisation_week_day_quarter() -> None:
    raw = pd.DataFrame(
        {"customer_id": ["a", "b", "c", "d"], "start_date": ["2019-01-01"] * 4,
         "amount": ["52", "365", "300", "600"], "interval": ["week", "day", "quarter", "year"],
         "interval_count": ["", "", "", "2"]},
        index=pd.RangeIndex(2, 6),
    )
    result = subscriptions_from_frame(raw, "inline.csv")
    # Contract: mrr = amount × quantity / months(interval × interval_count), week = 12/52 and day = 12/365 months:
    #   52 a week   → 52 / (12/52) = 225.333…; 365 a day → 365 / (12/365) = 11102.08…
    #   300 a quarter → 300 / 3 = 100;   600 every 2 years → 600 / 24 = 25
    assert result.table["mrr"].tolist() == pytest.approx([52 * 52 / 12, 365 * 365 / 12, 100.0, 25.0], abs=1e-6)


MONTHS = {
    # no one before → S = 0: every rate over S or mrr_start is null; A, B, F new: 100 + 50 + 10 = 160
    "2019-01": row((0, 3, 3, 0, 0), (N, N, N), (0, 160, 160, 0, 0, 0, 0),
                   (N, N, N, N, 160 / 3, N),  # arpa 160/3; quick = 160 / (0 + 0) → null
                   (N, N, N)),  # only month has no churn rate → lifetime null; no span ends → renewal null
    # C (100) and G (50) new; B 50 → 80 expansion 30; E = 3 + 2 = 5
    "2019-02": row((3, 5, 2, 0, 0),
                   (100, 100, 0),  # crr (5 − 2)/3; retained (3 − 0)/3; logo 0/3
                   (160, 340, 150, 0, 30, 0, 0),  # 160 + 150 + 30 = 340
                   (118.75, 100, 0, -18.75, 68, N),  # nrr (160+30)/160; net (0 − 30)/160; arpa 340/5; quick 180/0
                   (N, N, N)),  # churn rates: Feb 0 only → c = 0 → null
    # I new (100); F churned (10); D is in trial (0, not active); E = 5 + 1 − 1 = 5
    "2019-03": row((5, 5, 1, 0, 1),
                   (80, 80, 20),  # crr (5 − 1)/5; retained (5 − 1)/5; logo 1/5
                   (340, 430, 100, 0, 0, 0, 10),  # 340 + 100 − 10 = 430
                   (330 / 340 * 100, 330 / 340 * 100, 10 / 340 * 100, 10 / 340 * 100, 86, 10),  # arpa 430/5; quick 100/10
                   (10, 860, 0)),  # c = mean(0, 0.2) = 0.1 → 10; ltv 86 × 10; f1 ends 03-15, F has nothing else → 0/1
    # D new after its trial (60); B's b2 ended: 80 → 50 contraction 30, B stays a customer
    "2019-04": row((5, 6, 1, 0, 0),
                   (100, 100, 0),  # crr (6 − 1)/5
                   (430, 460, 60, 0, 0, 30, 0),  # 430 + 60 − 30 = 460
                   (400 / 430 * 100, 400 / 430 * 100, 30 / 430 * 100, 30 / 430 * 100, 460 / 6, 2),  # quick 60/30
                   (15, 1150, 100)),  # c = (0 + 0.2 + 0)/3 → 15; ltv 460/6 × 15; b2 ends 04-15 while b1 runs → 1/1
    # E new (20; the free span never made E a customer); C churned (100)
    "2019-05": row((6, 6, 1, 0, 1),
                   (500 / 6, 500 / 6, 100 / 6),  # crr (6 − 1)/6; retained (6 − 1)/6; logo 1/6
                   (460, 380, 20, 0, 0, 0, 100),  # 460 + 20 − 100 = 380
                   (360 / 460 * 100, 360 / 460 * 100, 100 / 460 * 100, 100 / 460 * 100, 380 / 6, 0.2),  # quick 20/100
                   (120 / 11, 7600 / 11, 0)),  # c = (0 + 1/5 + 0 + 1/6)/4 = 11/120; ltv 380/6 × 120/11; c1 not renewed
    # C reactivated (40); G churned (50): CRR counts C as retained, retained_rate does not
    "2019-06": row((6, 6, 0, 1, 1),
                   (100, 500 / 6, 100 / 6),  # crr (6 − 0)/6; retained (6 − 1)/6; logo 1/6
                   (380, 370, 0, 40, 0, 0, 50),  # 380 + 40 − 50 = 370
                   (330 / 380 * 100, 330 / 380 * 100, 50 / 380 * 100, 10 / 380 * 100, 370 / 6, 0.8),  # net (50 − 40)/380; quick 40/50
                   (9.375, 578.125, 0)),  # c = (0 + .2 + 0 + 1/6 + 1/6)/5 = 8/75 → 9.375; ltv 370/6 × 9.375; g1 not renewed
    # nothing moves
    "2019-07": row((6, 6, 0, 0, 0), (100, 100, 0), (370, 370, 0, 0, 0, 0, 0),
                   (100, 100, 0, 0, 370 / 6, N),  # quick 0/0 → null
                   (11.25, 693.75, N)),  # Feb–Jul: (0 + .2 + 0 + 1/6 + 1/6 + 0)/6 = 4/45 → 11.25; no span ends
    # H new (70); Feb 29 is before a1's end on 03-01
    "2020-02": row((6, 7, 1, 0, 0), (100, 100, 0), (370, 440, 70, 0, 0, 0, 0),
                   (100, 100, 0, 0, 440 / 7, N),
                   (N, N, N)),  # Sep 2019 – Feb 2020: no churn → c = 0 → null
    # A churned (100); I renewed i1 → i2 on the same day at 110: expansion 10
    "2020-03": row((7, 6, 0, 0, 1),
                   (600 / 7, 600 / 7, 100 / 7),  # crr (6 − 0)/7; retained (7 − 1)/7; logo 1/7
                   (440, 350, 0, 0, 10, 0, 100),  # 440 + 10 − 100 = 350
                   (350 / 440 * 100, 340 / 440 * 100, 100 / 440 * 100, 90 / 440 * 100, 350 / 6, 0.1),  # quick 10/100
                   (42, 2450, 50)),  # Oct–Mar: (1/7)/6 = 1/42 → 42; ltv 350/6 × 42; a1 no, i1 yes (i2 runs 03-01) → 1/2
}


@pytest.mark.parametrize("period", sorted(MONTHS))
def test_monthly(engine_factory, metrics_fixtures: Path, period: str) -> None:
    assert_row(metrics(engine_factory, metrics_fixtures), period, MONTHS[period])


@pytest.mark.parametrize(
    ("period", "lifetime", "ltv"),
    [
        ("2019-08", 11.25, 693.75),  # Mar–Aug: (.2 + 0 + 1/6 + 1/6 + 0 + 0)/6 = 4/45
        ("2019-09", 18, 1110),  # Apr–Sep: (1/6 + 1/6)/6 = 1/18; ltv 370/6 × 18
        ("2019-11", 36, 2220),  # Jun–Nov: (1/6)/6 = 1/36; ltv 370/6 × 36
        ("2019-12", N, N),  # Jul–Dec: c = 0 → null
        ("2020-08", 42, 2450),  # Mar–Aug 2020: (1/7)/6 → 42; ltv 350/6 × 42
        ("2020-09", N, N),  # Apr–Sep 2020: c = 0
    ],
)
def test_lifetime_uses_six_trailing_months(engine_factory, metrics_fixtures: Path, period: str, lifetime, ltv) -> None:
    assert_row(metrics(engine_factory, metrics_fixtures), period, {"customer_lifetime_months": lifetime, "ltv": ltv})


QUARTERS = {
    # snapshot 2019-03-31 vs nothing: A, B, C, G, I new; F came and went inside the quarter
    "2019-Q1": row((0, 5, 5, 0, 0), (N, N, N), (0, 430, 430, 0, 0, 0, 0),
                   (N, N, N, N, 86, N),  # arpa 430/5
                   (10, 860, 0)),  # lifetime of March; renewal: f1 ends in Q1 → 0/1
    # 2019-03-31 → 2019-06-30: D, E new; G churned; B 80 → 50 and C 100 → 40 are contractions
    # (C's churn and return happened between the two quarter-end snapshots)
    "2019-Q2": row((5, 6, 2, 0, 1),
                   (80, 80, 20),  # crr (6 − 2)/5; retained (5 − 1)/5; logo 1/5
                   (430, 370, 80, 0, 0, 90, 50),  # new 60 + 20; contraction 30 + 60; 430 + 80 − 90 − 50 = 370
                   (290 / 430 * 100, 290 / 430 * 100, 140 / 430 * 100, 140 / 430 * 100, 370 / 6, 80 / 140),
                   (9.375, 578.125, 100 / 3)),  # lifetime of June; b2 yes, c1 no, g1 no → 1/3
    "2019-Q3": row((6, 6, 0, 0, 0), (100, 100, 0), (370, 370, 0, 0, 0, 0, 0),
                   (100, 100, 0, 0, 370 / 6, N), (18, 1110, N)),  # lifetime of September
    "2019-Q4": row((6, 6, 0, 0, 0), (100, 100, 0), (370, 370, 0, 0, 0, 0, 0),
                   (100, 100, 0, 0, 370 / 6, N), (N, N, N)),  # December: c = 0
    # 2019-12-31 → 2020-03-31: H new 70; A churned 100; I expansion 10
    "2020-Q1": row((6, 6, 1, 0, 1),
                   (500 / 6, 500 / 6, 100 / 6),  # crr (6 − 1)/6; retained (6 − 1)/6; logo 1/6
                   (370, 350, 70, 0, 10, 0, 100),  # 370 + 70 + 10 − 100 = 350
                   (280 / 370 * 100, 270 / 370 * 100, 100 / 370 * 100, 90 / 370 * 100, 350 / 6, 0.8),  # quick 80/100
                   (42, 2450, 50)),  # lifetime of March 2020; a1 no, i1 yes
    "2020-Q2": row((6, 6, 0, 0, 0), (100, 100, 0), (350, 350, 0, 0, 0, 0, 0),
                   (100, 100, 0, 0, 350 / 6, N), (42, 2450, N)),  # Jan–Jun 2020: (1/7)/6
}


@pytest.mark.parametrize("period", sorted(QUARTERS))
def test_quarterly(engine_factory, metrics_fixtures: Path, period: str) -> None:
    assert_row(metrics(engine_factory, metrics_fixtures, granularity="quarter"), period, QUARTERS[period])


YEARS = {
    # 2019-12-31 vs nothing: A, B, C, D, E, I; F and G left before the year-end snapshot
    "2019": row((0, 6, 6, 0, 0), (N, N, N), (0, 370, 370, 0, 0, 0, 0),
                (N, N, N, N, 370 / 6, N),
                (N, N, 25)),  # lifetime of Dec 2019: null; spans ending in 2019: b2 yes, c1, f1, g1 no → 1/4
    # the classic annual view of the customers present a year ago
    "2020": row((6, 6, 1, 0, 1), (500 / 6, 500 / 6, 100 / 6), (370, 350, 70, 0, 10, 0, 100),
                (280 / 370 * 100, 270 / 370 * 100, 100 / 370 * 100, 90 / 370 * 100, 350 / 6, 0.8),
                (N, N, 50)),  # Dec 2020: c = 0; a1 no, i1 yes
}


@pytest.mark.parametrize("period", sorted(YEARS))
def test_yearly(engine_factory, metrics_fixtures: Path, period: str) -> None:
    frame = metrics(engine_factory, metrics_fixtures, granularity="year")
    assert frame["period"].tolist() == ["2019", "2020"]
    assert_row(frame, period, YEARS[period])


# gap.csv (mrr column): X 2019-01-15 → 2019-02-10 at 100, Y from 2019-04-01 at 200, X again from 2019-05-20 at 50.
# Month-end MRR: Jan X100; Feb –; Mar – (empty); Apr Y200; May X50 Y200.
GAP = {
    "2019-01": row((0, 1, 1, 0, 0), (N, N, N), (0, 100, 100, 0, 0, 0, 0), (N, N, N, N, 100, N), (N, N, N)),
    "2019-02": row((1, 0, 0, 0, 1),
                   (0, 0, 100),  # crr (0 − 0)/1; retained (1 − 1)/1; logo 1/1
                   (100, 0, 0, 0, 0, 0, 100),
                   (0, 0, 100, 100, N, 0),  # nrr (100 − 100)/100; arpa 0/0 → null; quick 0/100 = 0
                   (1, N, 0)),  # c = 1 → 1 month; ltv needs arpa → null; X's span ends 02-10 unrenewed → 0/1
    # the empty period: nobody at either end; every rate null
    "2019-03": row((0, 0, 0, 0, 0), (N, N, N), (0, 0, 0, 0, 0, 0, 0), (N, N, N, N, N, N),
                   (1, N, N)),  # trailing months with a rate: Feb (1) → lifetime 1; arpa null → ltv null
    # a first period with S = 0 after the gap: rates null again
    "2019-04": row((0, 1, 1, 0, 0), (N, N, N), (0, 200, 200, 0, 0, 0, 0), (N, N, N, N, 200, N),
                   (1, 200, N)),  # ltv 200 × 1
    # X comes back: CRR above 100 % because a reactivated customer is in E but not in N
    "2019-05": row((1, 2, 0, 1, 0),
                   (200, 100, 0),  # crr (2 − 0)/1; retained (1 − 0)/1
                   (200, 250, 0, 50, 0, 0, 0),
                   (100, 100, 0, -25, 125, N),  # net (0 − 0 − 50)/200; arpa 250/2; quick 50/0 → null
                   (2, 250, N)),  # rates Feb 1, May 0 → c = 0.5 → 2; ltv 125 × 2
}


@pytest.mark.parametrize("period", sorted(GAP))
def test_empty_period_and_first_period_nulls(engine_factory, metrics_fixtures: Path, period: str) -> None:
    assert_row(metrics(engine_factory, metrics_fixtures, "gap.csv", as_of="2019-05-31"), period, GAP[period])


def test_new_at_quarter_granularity_uses_quarter_snapshots(engine_factory, metrics_fixtures: Path) -> None:
    """X was active only at the January month-end; at quarter granularity the earlier snapshots
    are quarter ends (§4: "the same rules compare quarter-end snapshots"), so X is new in Q2."""
    frame = metrics(engine_factory, metrics_fixtures, "gap.csv", as_of="2019-06-30", granularity="quarter")
    # Q1 snapshot 03-31: nobody → an empty quarter
    assert_row(frame, "2019-Q1", row((0, 0, 0, 0, 0), (N, N, N), (0, 0, 0, 0, 0, 0, 0), (N, N, N, N, N, N),
                                     (1, N, 0)))  # March lifetime = 1 (Feb's 100 %); X's span ends in Q1 unrenewed
    assert_row(frame, "2019-Q2", {"customers_new": 2, "customers_reactivated": 0, "mrr_new": 250, "mrr_reactivation": 0})


def test_window_keeps_history_before_it(engine_factory, metrics_fixtures: Path) -> None:
    full = metrics(engine_factory, metrics_fixtures)
    window = metrics(engine_factory, metrics_fixtures, start="2019-02", end="2019-04")
    assert window["period"].tolist() == ["2019-02", "2019-03", "2019-04"]
    # A, B and F were active in January, before the window: they are S, not new
    assert_row(window, "2019-02", {"customers_start": 3, "customers_new": 2, "mrr_start": 160, "mrr_new": 150})
    pd.testing.assert_frame_equal(window, full.iloc[1:4].reset_index(drop=True))


def test_window_widens_finer_labels(engine_factory, metrics_fixtures: Path) -> None:
    frame = metrics(engine_factory, metrics_fixtures, granularity="quarter", start="2019-05", end="2019-08")
    assert frame["period"].tolist() == ["2019-Q2", "2019-Q3"]  # 2019-05 is in Q2, 2019-08 in Q3
    with pytest.raises(ValueError):
        metrics(engine_factory, metrics_fixtures, granularity="month", start="2019")  # coarser than the granularity


def test_as_of_cuts_incomplete_periods(engine_factory, metrics_fixtures: Path) -> None:
    # default as-of = latest date in the data = 2020-03-01 (a1's end, i1's end, i2's start)
    assert metrics(engine_factory, metrics_fixtures, as_of=None)["period"].iloc[-1] == "2020-02"
    assert metrics(engine_factory, metrics_fixtures, as_of=None, granularity="quarter")["period"].iloc[-1] == "2019-Q4"
    assert metrics(engine_factory, metrics_fixtures, as_of=None, granularity="year")["period"].tolist() == ["2019"]
    # 2020 is a leap year: February's snapshot is the 29th
    assert metrics(engine_factory, metrics_fixtures, as_of="2020-02-28")["period"].iloc[-1] == "2020-01"
    cut = metrics(engine_factory, metrics_fixtures, as_of="2020-02-29")
    assert cut["period"].iloc[-1] == "2020-02"
    assert_row(cut, "2020-02", MONTHS["2020-02"])
    assert metrics(engine_factory, metrics_fixtures, as_of="2019-03-30")["period"].tolist() == ["2019-01", "2019-02"]


def _customers(folder: Path) -> pd.DataFrame:
    result = load_customers((folder / "customers.csv").read_bytes(), "customers.csv")
    assert (result.rows_read, result.rows_used) == (9, 9)
    return result.table


def test_segment_filter(engine_factory, metrics_fixtures: Path) -> None:
    customers = _customers(metrics_fixtures)
    pro = metrics(engine_factory, metrics_fixtures, customers=customers, segment=("plan", "Pro"))
    # Pro = A, C, F, G, I.  Jan: A100 F10; Feb: A100 C100 F10 G50; Mar: A100 C100 G50 I100
    assert_row(pro, "2019-03", row(
        (4, 4, 1, 0, 1),
        (75, 75, 25),  # crr (4 − 1)/4; retained (4 − 1)/4; logo 1/4
        (260, 350, 100, 0, 0, 0, 10),  # 260 + 100 − 10 = 350
        (250 / 260 * 100, 250 / 260 * 100, 10 / 260 * 100, 10 / 260 * 100, 87.5, 10),  # arpa 350/4; quick 100/10
        (8, 700, 0),  # Pro churn: Feb 0/2, Mar 1/4 → c = 0.125 → 8; ltv 87.5 × 8; f1 unrenewed
    ))
    basic = metrics(engine_factory, metrics_fixtures, customers=customers, segment=("plan", "Basic"))
    full = metrics(engine_factory, metrics_fixtures)
    for name in ("customers_start", "customers_end", "customers_new", "customers_churned", "mrr_end", "mrr_contraction"):
        assert (pro[name] + basic[name]).tolist() == pytest.approx(full[name].tolist()), name
    nobody = metrics(engine_factory, metrics_fixtures, customers=customers, segment=("plan", "Enterprise"))
    assert (nobody["customers_end"] == 0).all() and nobody["crr"].isna().all()
    with pytest.raises(ValueError):
        metrics(engine_factory, metrics_fixtures, customers=customers, segment=("tier", "Pro"))


def test_gross_margin_scales_ltv(engine_factory, metrics_fixtures: Path) -> None:
    frame = metrics(engine_factory, metrics_fixtures, gross_margin=80.0)
    # April: arpa 460/6 × 0.8 × lifetime 15 = 920
    assert_row(frame, "2019-04", {"ltv": 920, "arpa": 460 / 6, "customer_lifetime_months": 15})


def test_a_quarter_grid_shorter_than_the_month_grid(engine_factory) -> None:
    """Found by the property test: the data runs into April, so the month grid is March–April while the only
    complete quarter snapshot is March's.  A's trial ends 1 March (paid from then, 10 a month); A's second span
    starts 30 April, after Q1's snapshot.  Q1 ends with one customer and MRR 10 (a cold quarterly query
    once read April's span into March's column, or failed)."""
    subs = pd.DataFrame({
        "customer_id": ["a", "a"], "subscription_id": ["s1", "s2"],
        "start_date": pd.to_datetime(["2019-01-01", "2019-04-30"]), "end_date": pd.to_datetime([None, None]),
        "mrr": [10.0, 10.0], "plan": "", "quantity": 1.0, "currency": "USD", "status": "",
        "trial_end": pd.to_datetime(["2019-03-01", None]),
    })
    frame = engine_factory(subs, None).metrics(Query(granularity="quarter", as_of=pd.Timestamp("2019-04-30")))
    assert frame["period"].tolist() == ["2019-Q1"]
    assert_row(frame, "2019-Q1", {"customers_end": 1, "mrr_end": 10, "customers_new": 1, "mrr_new": 10})
