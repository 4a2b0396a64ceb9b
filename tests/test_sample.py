"""The sample-data generator: deterministic, loads cleanly, and tells a believable retention story.

The story tests (churn by tier, detractors vs promoters, usage before churn) are statistical:
their thresholds are far from the values the generator aims at, so they hold for any seed,
and the seeds are fixed so they never flake.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from retention.cli import main
from retention.dataset import Dataset
from retention.engine.metrics import Query
from retention.engine.snapshots import build_model
from retention.importing import load_customers, load_subscriptions
from retention.importing.events import load_events
from retention.importing.surveys import load_surveys
from retention.sample import generate, generate_events, write_sample

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "sample_data"
FILES = ("customers.csv", "subscriptions.csv", "events.csv", "surveys.csv", "churn_reasons.csv", "README.md")
COLUMNS = {
    "customers.csv": ["customer_id", "customer_name", "signup_date", "plan", "country", "industry", "size", "channel"],
    "subscriptions.csv": [
        "subscription_id", "customer_id", "plan", "start_date", "end_date", "amount", "interval", "quantity",
        "currency", "status", "trial_end",
    ],
    "events.csv": ["timestamp", "user_id", "customer_id", "event"],
    "surveys.csv": ["customer_id", "date", "score", "kind", "comment"],
}
LAST_DAY = pd.Timestamp("2026-10-31")  # default end month 2026-10 -> its last day


@pytest.fixture(scope="module")
def small():
    return generate(customers=150, months=12, seed=3, event_rows=4000)


@pytest.fixture(scope="module")
def medium():
    """Big enough for the story statistics, no events (they are not needed there)."""
    return generate(customers=3000, months=24, seed=11, event_rows=0)


@pytest.fixture(scope="module")
def committed():
    """What the documented command generates (the committed sample_data)."""
    return generate(customers=600, months=36, seed=7)


def _mrr_table(subs: pd.DataFrame) -> pd.DataFrame:
    """Canonical subscriptions straight from the generator's frame (METRICS.md §1 normalisation)."""
    months = subs["interval"].map({"month": 1, "year": 12})
    return subs.assign(mrr=subs["amount"] * subs["quantity"] / months)


def test_same_seed_same_frames_other_seed_other_frames(small) -> None:
    again = generate(customers=150, months=12, seed=3, event_rows=4000)
    for name in ("customers", "subscriptions", "events", "surveys"):
        pd.testing.assert_frame_equal(getattr(small, name), getattr(again, name))
    other = generate(customers=150, months=12, seed=4, event_rows=4000)
    assert not small.subscriptions.equals(other.subscriptions)
    assert not small.events.equals(other.events)


def test_files_have_canonical_columns_and_load_with_zero_rejects(small, tmp_path: Path) -> None:
    paths = write_sample(small, tmp_path)
    assert [p.name for p in paths] == list(FILES)
    for name, columns in COLUMNS.items():
        assert (tmp_path / name).read_text(encoding="utf-8").splitlines()[0].split(",") == columns
    subs = load_subscriptions((tmp_path / "subscriptions.csv").read_bytes(), "subscriptions.csv")
    customers = load_customers((tmp_path / "customers.csv").read_bytes(), "customers.csv")
    assert (subs.rows_rejected, customers.rows_rejected) == (0, 0)
    assert (subs.rows_read, customers.rows_read) == (len(small.subscriptions), 150)
    # No mapping was needed: every canonical field maps to the column of the same name.
    assert all(canonical == source for canonical, source in subs.mapping.items())
    assert Dataset(subs, customers).default_as_of() == LAST_DAY
    events_result = load_events((tmp_path / "events.csv").read_bytes(), "events.csv")
    surveys_result = load_surveys((tmp_path / "surveys.csv").read_bytes(), "surveys.csv")
    assert (events_result.rows_rejected, surveys_result.rows_rejected) == (0, 0)
    assert (events_result.rows_read, surveys_result.rows_read) == (4000, len(small.surveys))
    events = pd.read_csv(tmp_path / "events.csv", dtype=str)
    assert events["timestamp"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ").all()


def test_row_counts_are_as_asked(small) -> None:
    assert len(small.customers) == 150
    assert small.customers["customer_id"].is_unique
    assert set(small.subscriptions["customer_id"]) == set(small.customers["customer_id"])  # every customer subscribed
    assert small.subscriptions["subscription_id"].is_unique
    assert len(small.events) == 4000  # the log is trimmed to exactly the rows asked for
    assert len(small.surveys) > 0
    assert generate(customers=40, months=6, seed=1, event_rows=0).events.empty


def test_subscription_invariants(medium) -> None:
    subs = medium.subscriptions
    ended = subs["end_date"].notna()
    assert (subs.loc[ended, "end_date"] > subs.loc[ended, "start_date"]).all()
    trial = subs["trial_end"].notna()
    assert (subs.loc[trial, "trial_end"] == subs.loc[trial, "start_date"] + pd.Timedelta(days=14)).all()
    assert (subs.loc[trial & ended, "trial_end"] <= subs.loc[trial & ended, "end_date"]).all()
    # The latest start or end is the last day of the end month: the data's as-of date.
    assert pd.concat([subs["start_date"], subs["end_date"]]).max() == LAST_DAY
    assert set(subs["interval"]) == {"month", "year"}
    assert set(subs["currency"]) == {"USD"}
    assert (subs["amount"] > 0).all() and (subs["quantity"] >= 1).all()
    running = subs["end_date"].isna()
    in_trial = trial & (subs["trial_end"] > LAST_DAY)
    expected = np.where(~running, "canceled", np.where(in_trial, "trialing", "active"))
    assert (subs["status"].to_numpy() == expected).all()
    # At most one main subscription runs at a time per customer: spans are consecutive.
    main_plans = subs[subs["plan"] != "Analytics add-on"].sort_values(["customer_id", "start_date"])
    same = main_plans["customer_id"].eq(main_plans["customer_id"].shift())
    previous_end = main_plans["end_date"].shift()
    assert (main_plans.loc[same, "start_date"] >= previous_end[same]).all()
    assert set(medium.customers["plan"]) == {"Starter", "Growth", "Pro", "Enterprise"}


def test_other_tables_stay_inside_the_data(small) -> None:
    ids = set(small.customers["customer_id"])
    assert set(small.events["customer_id"]) <= ids and set(small.surveys["customer_id"]) <= ids
    assert small.events["timestamp"].max() < pd.Timestamp("2026-11-01", tz="UTC")
    assert small.events["timestamp"].is_monotonic_increasing
    assert small.surveys["date"].max() <= LAST_DAY
    nps = small.surveys[small.surveys["kind"] == "nps"]["score"]
    csat = small.surveys[small.surveys["kind"] == "csat"]["score"]
    assert nps.between(0, 10).all() and csat.between(1, 5).all()


def test_churn_is_plausible_and_ordered_by_tier(medium, tmp_path: Path) -> None:
    write_sample(medium, tmp_path)
    subs = load_subscriptions((tmp_path / "subscriptions.csv").read_bytes(), "subscriptions.csv")
    customers = load_customers((tmp_path / "customers.csv").read_bytes(), "customers.csv")
    data = Dataset(subs, customers)
    # Mean monthly logo churn over the last 12 months; the generator aims at about 3.5 %.
    overall = data.metrics(Query())["logo_churn_rate"].tail(12).mean()
    assert 2.0 <= overall <= 5.0
    by_plan = {
        plan: data.metrics(Query(segment=("plan", plan)))["logo_churn_rate"].tail(12).mean()
        for plan in ("Starter", "Growth", "Pro", "Enterprise")
    }
    assert by_plan["Starter"] > by_plan["Growth"] > by_plan["Pro"] > by_plan["Enterprise"]
    # Growth in new customers: more signups in the second year than in the first.
    signup_year = medium.customers["signup_date"] >= medium.customers["signup_date"].min() + pd.DateOffset(months=12)
    assert signup_year.sum() > (~signup_year).sum()


def test_detractors_churn_more_than_promoters(medium) -> None:
    """METRICS.md §9: share of respondents inactive at one of the 3 month-end snapshots after answering."""
    model = build_model(_mrr_table(medium.subscriptions), LAST_DAY)
    active = model.active
    nps = medium.surveys[medium.surveys["kind"] == "nps"]
    col = (nps["date"].dt.to_period("M").astype("int64") - model.months[0].ordinal).to_numpy()
    row = model.customer_ids.get_indexer(nps["customer_id"])
    complete = col + 2 < active.shape[1]
    churned = np.zeros(len(nps), dtype=bool)
    for k in range(3):
        churned |= ~active[row, np.minimum(col + k, active.shape[1] - 1)]
    score = nps["score"].to_numpy()
    detractors = churned[complete & (score <= 6)].mean()
    promoters = churned[complete & (score >= 9)].mean()
    assert detractors > 1.5 * promoters  # about 11 % vs 4 % for most seeds


def test_usage_fades_before_churn_and_new_users_drop_off(committed) -> None:
    events, subs = committed.events, committed.subscriptions
    last_end = subs.groupby("customer_id")["end_date"].agg(lambda e: pd.NaT if e.isna().any() else e.max()).dropna()
    day = events["timestamp"].dt.tz_convert(None).dt.normalize()
    first_day = day.min()
    gone = last_end[last_end >= first_day + pd.Timedelta(weeks=13)]  # churned with 13 tracked weeks before
    mine = events["customer_id"].isin(gone.index)
    weeks_before = (gone.reindex(events.loc[mine, "customer_id"]).to_numpy() - day[mine].to_numpy()) // np.timedelta64(7, "D")
    last_two = np.isin(weeks_before, [0, 1]).sum() / 2
    earlier = np.isin(weeks_before, [9, 10, 11, 12]).sum() / 4
    assert last_two < 0.7 * earlier  # weekly events in the last two weeks vs two months earlier

    # METRICS.md §8 day-7 retention: actors with an event exactly on first day + 7.
    days = pd.DataFrame({"user": events["user_id"], "day": day}).drop_duplicates()
    first = days.groupby("user")["day"].transform("min")
    eligible = days.loc[first + pd.Timedelta(days=7) <= LAST_DAY, "user"].unique()
    returned = days.loc[(days["day"] - first).dt.days.eq(7), "user"].unique()
    day_7 = len(returned) / len(eligible) * 100
    assert 10 <= day_7 <= 30


def test_generate_events_reproduces_the_log_of_generate() -> None:
    with_log = generate(customers=80, months=8, seed=5, event_rows=2500)
    without = generate(customers=80, months=8, seed=5, event_rows=0)
    pd.testing.assert_frame_equal(with_log.subscriptions, without.subscriptions)  # the log has its own seed stream
    pd.testing.assert_frame_equal(generate_events(without, 2500), with_log.events)


def test_committed_sample_matches_its_documented_command(committed, tmp_path: Path) -> None:
    out = tmp_path / "sample_data"
    assert main(["sample", "--customers", "600", "--months", "36", "--seed", "7", "--out", str(out)]) == 0
    for name in FILES:
        assert (out / name).read_bytes() == (SAMPLE_DIR / name).read_bytes(), name
    readme = (SAMPLE_DIR / "README.md").read_text(encoding="utf-8")
    assert "python -m retention sample --customers 600 --months 36 --seed 7 --out sample_data" in readme
    assert sum((SAMPLE_DIR / name).stat().st_size for name in FILES) < 5_000_000
    assert 40_000 <= len(committed.events) <= 60_000



def test_sample_reads_like_a_real_b2b_saas(committed, tmp_path: Path) -> None:
    """Numbers an investor would believe (issue 16): quick ratio 1–4, annual NRR 95–120 %, monthly logo
    churn 1–5 %, fewer signups in summer and December, and one bad month (a price rise) to talk about."""
    write_sample(committed, tmp_path)
    subs = load_subscriptions((tmp_path / "subscriptions.csv").read_bytes(), "subscriptions.csv")
    customers = load_customers((tmp_path / "customers.csv").read_bytes(), "customers.csv")
    data = Dataset(subs, customers)
    monthly = data.metrics(Query())
    last_year = monthly.tail(12)
    assert 1.0 <= last_year["quick_ratio"].median() <= 4.0
    yearly = data.metrics(Query(granularity="year"))
    assert 95.0 <= yearly["nrr"].iloc[-1] <= 120.0  # the last complete year
    assert 1.0 <= last_year["logo_churn_rate"].median() <= 5.0
    # The bad month stands out: the month of the price rise has the year's highest churn, twice the usual.
    worst = last_year.loc[last_year["logo_churn_rate"].idxmax()]
    assert worst["period"] == "2026-03" and worst["logo_churn_rate"] > 2 * last_year["logo_churn_rate"].median()
    # Seasonal dip: July, August and December bring fewer new customers than the other months.
    month = monthly["period"].str[-2:]
    quiet = month.isin(["07", "08", "12"])
    assert monthly.loc[quiet, "customers_new"].mean() < 0.8 * monthly.loc[~quiet & (monthly.index > 2), "customers_new"].mean()
