"""Properties of the NumPy reference on random subscription tables (METRICS.md §2–§5).

Besides the identities the contract states (E = S + N + reactivated − churned, the MRR bridge,
movements ≥ 0, nulls exactly where a denominator is 0), every period is checked against a naive
oracle written from §2 alone: sum the MRR of the spans running on each snapshot day, per
customer, and classify each customer by comparing two snapshots.  The oracle loops over periods
and knows nothing of the engine's matrix.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retention.engine import NumpyEngine, Query
from tests.contract.equality import assert_same_table

BASE = pd.Timestamp("2019-01-01")
FREQ = {"month": "M", "quarter": "Q", "year": "Y"}
COUNTS = ["customers_start", "customers_end", "customers_new", "customers_reactivated", "customers_churned"]
MOVEMENTS = ["mrr_new", "mrr_reactivation", "mrr_expansion", "mrr_contraction", "mrr_churned"]
AMOUNTS = ["mrr_start", "mrr_end", *MOVEMENTS]

SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
"""`engine_factory` is function-scoped but stateless: every example builds its own engine."""


@pytest.fixture
def engine_factory():
    """The NumPy reference only: each of hundreds of examples builds a fresh engine, which on a warehouse is
    an upload and compiled queries; the warehouse engines meet random data in test_parity.py."""
    return NumpyEngine


@st.composite
def subscription_tables(draw, min_rows: int = 1) -> pd.DataFrame:
    """Canonical subscriptions: a few customers, overlapping spans, free spans, trials, open ends."""
    n = draw(st.integers(min_rows, 14))
    rows = []
    for _ in range(n):
        start = BASE + pd.Timedelta(days=draw(st.integers(0, 900)))
        length = draw(st.one_of(st.none(), st.integers(0, 500)))
        trial = draw(st.one_of(st.none(), st.none(), st.integers(0, 120)))
        rows.append({
            "customer_id": draw(st.sampled_from("abcdefg")),
            "start_date": start,
            "end_date": pd.NaT if length is None else start + pd.Timedelta(days=length),
            "mrr": draw(st.sampled_from([0.0, 10.0, 25.5, 40.0, 99.99, 100.0, 1200 / 12])),
            "trial_end": pd.NaT if trial is None else start + pd.Timedelta(days=trial),
        })
    frame = pd.DataFrame(rows, columns=["customer_id", "start_date", "end_date", "mrr", "trial_end"])
    for column in ("start_date", "end_date", "trial_end"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


as_of_days = st.one_of(st.none(), st.integers(0, 1300).map(lambda d: BASE + pd.Timedelta(days=d)))


def ask(engine_factory, subs: pd.DataFrame, as_of: pd.Timestamp | None, customers: pd.DataFrame | None = None, **query):
    """The metrics of `subs` as the engine under test answers them."""
    return engine_factory(subs, customers).metrics(Query(as_of=as_of, **query))


def oracle_snapshots(subs: pd.DataFrame, grid: pd.PeriodIndex) -> pd.DataFrame:
    """Customer × period MRR from §1–§2 directly: the paid part of each span (from trial_end on)
    counts on a period's last day d when paid_from <= d < end_date."""
    paid_from = subs["start_date"].where(subs["trial_end"].isna() | (subs["trial_end"] <= subs["start_date"]), subs["trial_end"])
    days = grid.to_timestamp(how="end").normalize().to_numpy()[None, :]
    end = subs["end_date"].to_numpy()[:, None]
    running = (paid_from.to_numpy()[:, None] <= days) & (np.isnat(end) | (end > days))
    per_span = pd.DataFrame(running * subs["mrr"].to_numpy()[:, None], columns=grid)
    return per_span.groupby(subs["customer_id"].to_numpy()).sum()


def oracle_rows(subs: pd.DataFrame, periods: list[pd.Period]) -> dict[pd.Period, dict[str, float]]:
    """Counts and movements of each period from its snapshot, the previous one and every earlier one."""
    if not periods:
        return {}
    first = subs["start_date"].min().to_period(periods[0].freq) - 1
    grid = pd.period_range(min(first, periods[0] - 1), periods[-1], freq=periods[0].freq)
    mrr = oracle_snapshots(subs, grid)
    active = mrr > 0
    # active at some snapshot strictly before the previous one
    ever_before_prev = active.T.cummax().T.shift(2, axis=1, fill_value=False).astype(bool)
    out = {}
    for period in periods:
        cur, prev, ever = mrr[period], mrr[period - 1], ever_before_prev[period]
        was, now = prev > 0, cur > 0
        entering = ~was & now
        staying = was & now
        out[period] = {
            "customers_start": was.sum(), "customers_end": now.sum(),
            "customers_new": (entering & ~ever).sum(), "customers_reactivated": (entering & ever).sum(),
            "customers_churned": (was & ~now).sum(),
            "mrr_start": prev.sum(), "mrr_end": cur.sum(),
            "mrr_new": cur[entering & ~ever].sum(), "mrr_reactivation": cur[entering & ever].sum(),
            "mrr_expansion": (cur - prev)[staying & (cur > prev)].sum(),
            "mrr_contraction": (prev - cur)[staying & (cur < prev)].sum(),
            "mrr_churned": prev[was & ~now].sum(),
        }
    return out


def oracle_renewal(subs: pd.DataFrame, periods: list[pd.Period]) -> np.ndarray:
    """§5 renewal rate per period: among paid spans (MRR > 0 with at least one day after the trial)
    whose end_date falls in P, the share whose customer still pays on that end_date × 100."""
    paid_from = subs["start_date"].where(subs["trial_end"].isna() | (subs["trial_end"] <= subs["start_date"]), subs["trial_end"])
    paid = subs[(subs["mrr"] > 0) & subs["end_date"].notna() & (subs["end_date"] > paid_from)]
    out = []
    for period in periods:
        ending = paid[(paid["end_date"] >= period.start_time) & (paid["end_date"] <= period.end_time)]
        if ending.empty:
            out.append(np.nan)
            continue
        renewed = 0
        for _, span in ending.iterrows():
            day = span["end_date"]
            others = subs[subs["customer_id"] == span["customer_id"]]
            others_from = paid_from[others.index]
            running = (others_from <= day) & (others["end_date"].isna() | (others["end_date"] > day))
            renewed += others.loc[running, "mrr"].sum() > 0
        out.append(renewed / len(ending) * 100)
    return np.array(out, dtype=float)


def to_period(label: str, granularity: str) -> pd.Period:
    """`2019-01`, `2019-Q1`, `2019` → a pandas Period (written independently of retention.periods)."""
    return pd.Period(label.replace("-Q", "Q"), FREQ[granularity])


@pytest.mark.parametrize("granularity", ["month", "quarter", "year"])
@SETTINGS
@given(subs=subscription_tables(), as_of=as_of_days)
def test_identities_and_oracle(engine_factory, granularity: str, subs: pd.DataFrame, as_of) -> None:
    frame = ask(engine_factory, subs, as_of, granularity=granularity)
    s, e = frame["customers_start"], frame["customers_end"]
    # §3 identity
    assert (e == s + frame["customers_new"] + frame["customers_reactivated"] - frame["customers_churned"]).all()
    # §4 bridge and magnitudes
    bridge = frame["mrr_start"] + frame["mrr_new"] + frame["mrr_reactivation"] + frame["mrr_expansion"] \
        - frame["mrr_contraction"] - frame["mrr_churned"]
    np.testing.assert_allclose(frame["mrr_end"], bridge, atol=1e-6)
    assert (frame[COUNTS + AMOUNTS] >= 0).all().all()
    # each period's start is the previous period's end
    assert (s.iloc[1:].to_numpy() == e.iloc[:-1].to_numpy()).all()
    np.testing.assert_allclose(frame["mrr_start"].iloc[1:], frame["mrr_end"].iloc[:-1].to_numpy(), atol=1e-6)
    # nulls exactly where the denominator is 0
    for name in ("crr", "retained_rate", "logo_churn_rate"):
        assert (frame[name].isna() == (s == 0)).all(), name
    for name in ("nrr", "grr", "gross_mrr_churn_rate", "net_mrr_churn_rate"):
        assert (frame[name].isna() == (frame["mrr_start"] == 0)).all(), name
    assert (frame["arpa"].isna() == (e == 0)).all()
    lost = frame["mrr_contraction"] + frame["mrr_churned"]
    assert (frame["quick_ratio"].isna() == (lost == 0)).all()
    # every period against the oracle
    wanted = oracle_rows(subs, [to_period(p, granularity) for p in frame["period"]])
    for _, got in frame.iterrows():
        want = wanted[to_period(got["period"], granularity)]
        for name in COUNTS:
            assert got[name] == want[name], (got["period"], name)
        for name in AMOUNTS:
            assert got[name] == pytest.approx(want[name], abs=1e-6), (got["period"], name)
    # renewal rate against the oracle
    renewal = oracle_renewal(subs, [to_period(p, granularity) for p in frame["period"]])
    np.testing.assert_allclose(frame["renewal_rate"].to_numpy(dtype=float), renewal, atol=1e-9)
    if granularity == "month":
        # lifetime: 1 / mean monthly logo churn over the trailing six months (months without a rate skipped)
        churn = (frame["customers_churned"] / frame["customers_start"].where(frame["customers_start"] > 0)).to_numpy()
        lifetime = []
        for i in range(len(frame)):
            rates = churn[max(0, i - 5): i + 1]
            rates = rates[~np.isnan(rates)]
            lifetime.append(1 / rates.mean() if len(rates) and rates.mean() > 0 else np.nan)
        np.testing.assert_allclose(frame["customer_lifetime_months"].to_numpy(dtype=float), lifetime, rtol=1e-9)
        np.testing.assert_allclose(frame["ltv"].to_numpy(dtype=float), frame["arpa"].to_numpy(dtype=float) * lifetime, rtol=1e-9)


@SETTINGS
@given(subs=subscription_tables(), as_of=as_of_days)
def test_month_quarter_year_agree(engine_factory, subs: pd.DataFrame, as_of) -> None:
    months = ask(engine_factory, subs, as_of, granularity="month").set_index("period")
    for granularity in ("quarter", "year"):
        coarse = ask(engine_factory, subs, as_of, granularity=granularity).set_index("period")
        for label, got in coarse.iterrows():
            period = to_period(label, granularity)
            first = period.asfreq("M", how="start").strftime("%Y-%m")
            last = period.asfreq("M", how="end").strftime("%Y-%m")
            # the period's end is its last month's end (that month is always reported: it is complete)
            assert got["customers_end"] == months.loc[last, "customers_end"]
            assert got["mrr_end"] == pytest.approx(months.loc[last, "mrr_end"], abs=1e-6)
            # its start is its first month's start (the previous December/quarter-end snapshot);
            # before the data's first month nobody was active
            start_count = months.loc[first, "customers_start"] if first in months.index else 0
            start_mrr = months.loc[first, "mrr_start"] if first in months.index else 0.0
            assert got["customers_start"] == start_count
            assert got["mrr_start"] == pytest.approx(start_mrr, abs=1e-6)
            # lifetime is defined on monthly churn: the same as the period's last month
            np.testing.assert_equal(got["customer_lifetime_months"], months.loc[last, "customer_lifetime_months"])


@SETTINGS
@given(subs=subscription_tables(), as_of=as_of_days, granularity=st.sampled_from(["month", "quarter", "year"]),
       bounds=st.tuples(st.integers(0, 40), st.integers(0, 40)))
def test_window_only_slices(engine_factory, subs: pd.DataFrame, as_of, granularity: str, bounds: tuple[int, int]) -> None:
    full = ask(engine_factory, subs, as_of, granularity=granularity)
    lo, hi = sorted(bounds)
    start = (BASE.to_period("M") + lo).strftime("%Y-%m")  # month labels, widened at coarser granularities
    end = (BASE.to_period("M") + hi).strftime("%Y-%m")
    window = ask(engine_factory, subs, as_of, granularity=granularity, start=start, end=end)
    first = pd.Period(start, "M").asfreq(FREQ[granularity])
    last = pd.Period(end, "M").asfreq(FREQ[granularity])
    periods = pd.PeriodIndex([to_period(p, granularity) for p in full["period"]], freq=FREQ[granularity])
    inside = (periods >= first) & (periods <= last)
    assert_same_table(window, full[inside].reset_index(drop=True))


@SETTINGS
@given(subs=subscription_tables(), as_of=as_of_days, granularity=st.sampled_from(["month", "quarter", "year"]),
       groups=st.lists(st.sampled_from(["x", "y"]), min_size=7, max_size=7))
def test_segment_and_complement_add_up(engine_factory, subs: pd.DataFrame, as_of, granularity: str, groups: list[str]) -> None:
    customers = pd.DataFrame({"customer_id": list("abcdefg"), "group": groups})
    full = ask(engine_factory, subs, as_of, granularity=granularity)
    x = ask(engine_factory, subs, as_of, customers, granularity=granularity, segment=("group", "x"))
    y = ask(engine_factory, subs, as_of, customers, granularity=granularity, segment=("group", "y"))
    assert x["period"].tolist() == full["period"].tolist() == y["period"].tolist()
    for name in COUNTS:
        assert (x[name] + y[name] == full[name]).all(), name
    for name in AMOUNTS:
        np.testing.assert_allclose(x[name] + y[name], full[name], atol=1e-6, err_msg=name)


def test_no_paid_span_gives_no_rows(engine_factory) -> None:
    subs = pd.DataFrame({"customer_id": ["a"], "start_date": [BASE], "end_date": [pd.NaT], "mrr": [0.0], "trial_end": [pd.NaT]})
    for granularity in ("month", "quarter", "year"):
        frame = ask(engine_factory, subs, pd.Timestamp("2019-12-31"), granularity=granularity)
        assert frame.empty and list(frame.columns)[0] == "period"
