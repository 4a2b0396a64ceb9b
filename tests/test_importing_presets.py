"""Presets, preview, saved mappings, status policy, and the round trip through every preset.

Round trip: a small canonical data set (30 customers over 12 months, with upgrades and churn)
is written in each vendor's format, read back, and must give the same metrics (METRICS.md
§3–§5) as the canonical table itself.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from retention.dataset import load_dataset
from retention.engine.metrics import Query, compute_metrics
from retention.engine.snapshots import build_model
from retention.importing import (
    PRESETS,
    StatusPolicy,
    detect_preset,
    load_subscriptions,
    mapping_from_json,
    mapping_to_json,
    preview,
    suggest_mapping,
)
from retention.importing.errors import LoadError

FIXTURES = Path(__file__).parent / "fixtures" / "importing"
AS_OF = pd.Timestamp("2023-12-31")


@pytest.mark.parametrize(("fixture", "key"), [
    ("stripe_subscriptions.csv", "stripe_subscriptions"), ("stripe_invoices.csv", "stripe_invoices"),
    ("chargebee_subscriptions.csv", "chargebee_subscriptions"), ("paddle_subscriptions.csv", "paddle_subscriptions"),
    ("chartmogul_line_items.csv", "chartmogul_line_items"), ("baremetrics_subscriptions.csv", "baremetrics_subscriptions"),
    ("dbt_mrr.csv", "dbt_mrr"), ("generic_synonyms.csv", None), ("bad_rows.csv", None),
])
def test_detect_preset_from_header(fixture, key):
    header = pd.read_csv(FIXTURES / fixture, nrows=0).columns
    preset = detect_preset(header)
    assert (preset.key if preset else None) == key


def test_suggest_mapping_for_the_mapping_editor():
    header = list(pd.read_csv(FIXTURES / "stripe_subscriptions.csv", nrows=0).columns)
    preset, mapping = suggest_mapping(header)
    assert preset.name == "Stripe subscriptions"
    assert mapping["end_date"] == "Ended At (UTC)" and mapping["paid_through"] == "Current Period Start (UTC)"
    assert suggest_mapping(["account_id", "mrr_amount", "signup_date"])[0] is None


def test_preset_can_be_forced_and_mapping_overridden():
    data = b"account_id,mrr_amount,start,end\nacme,10,2024-01-01,\n"
    result = load_subscriptions(data, "x.csv")
    assert result.mapping["customer_id"] == "account_id" and result.mapping["mrr"] == "mrr_amount"
    with pytest.raises(LoadError, match="no column for 'customer_id'"):
        load_subscriptions(data, "x.csv", preset="dbt_mrr")
    with pytest.raises(LoadError, match="unknown format preset"):
        load_subscriptions(data, "x.csv", preset="quickbooks")


def test_preview_shows_rows_as_read_with_reasons():
    shown = preview((FIXTURES / "bad_rows.csv").read_bytes(), "bad_rows.csv", rows=3)
    assert shown["row"].tolist() == [2, 3, 4]
    assert shown["mrr"].iloc[0] == 10.0  # 120 a year / 12
    assert shown["reject_reason"].tolist() == ["", "missing customer id", "not a date"]


def test_preview_decides_date_order_from_the_whole_file():
    data = b"customer_id,start_date,mrr\nc1,01/02/2024,1\nc2,03/04/2024,1\nc3,25/04/2024,1\n"
    shown = preview(data, "x.csv", rows=1)
    assert shown["start_date"].tolist() == [pd.Timestamp("2024-02-01")]  # row 4 says day first


def test_mapping_json_round_trip():
    text = mapping_to_json({"mrr": "monthly_amount"}, preset="dbt_mrr", date_order="dmy")
    saved = mapping_from_json(text)
    assert saved.mapping == {"mrr": "monthly_amount"} and saved.preset == "dbt_mrr" and saved.date_order == "dmy"
    assert mapping_from_json('{"customer_id": "account"}').mapping == {"customer_id": "account"}
    with pytest.raises(LoadError, match="not valid JSON"):
        mapping_from_json("{oops")
    with pytest.raises(LoadError, match="unknown fields: colour"):
        mapping_from_json('{"colour": "x"}')


def test_status_policy_is_the_callers_choice_and_recorded():
    data = (FIXTURES / "stripe_subscriptions.csv").read_bytes()
    default = load_subscriptions(data, "s.csv")
    assert default.status_policy.action("past_due") == "count"
    assert default.status_policy.describe(["trialing"]) == ["trialing: no MRR until the trial ends"]
    strict = load_subscriptions(data, "s.csv", status_policy={"past_due": "exclude", "incomplete": "count"})
    assert strict.status_policy.name == "custom"
    assert 6 not in strict.table.index and 5 in strict.table.index  # row 6 is past_due, row 5 incomplete
    assert load_subscriptions(data, "s.csv", status_policy=StatusPolicy({})).rows_rejected == 0


def test_stripe_metadata_becomes_customer_segments():
    data = load_dataset(FIXTURES / "stripe_subscriptions.csv")
    customers = data.customers.table.set_index("customer_id")
    assert customers.loc["cus_A", "plan_tier"] == "Pro" and customers.loc["cus_A", "country"] == "DE"
    assert "cus_D" not in customers.index  # its only subscription was excluded
    assert data.segments()["country"] == ["DE", "FR", "GB", "US"]


def test_decimal_decision_is_recorded():
    result = load_subscriptions((FIXTURES / "semicolon_decimal_comma.csv").read_bytes(), "x.csv")
    assert result.decimals == {"mrr": ","}


# --- round trip -------------------------------------------------------------------------------------


def canonical() -> pd.DataFrame:
    """30 customers starting over the first half of 2023 on the 1st of a month; every 4th upgrades
    (MRR × 2) after 4 months, every 5th (not upgrading) churns after 7 months; every 7th pays yearly,
    every 3rd has 2 seats."""
    rows = []
    for i in range(30):
        start = pd.Timestamp("2023-01-01") + pd.DateOffset(months=i % 6)
        mrr = 10.0 * (1 + i % 5)
        seats = 2 if i % 3 == 0 else 1
        yearly = i % 7 == 0
        if i % 4 == 0:
            change = start + pd.DateOffset(months=4)
            rows.append((f"c{i}", f"s{i}a", start, change, mrr, seats, yearly))
            rows.append((f"c{i}", f"s{i}b", change, pd.NaT, mrr * 2, seats, yearly))
        elif i % 5 == 0:
            rows.append((f"c{i}", f"s{i}", start, start + pd.DateOffset(months=7), mrr, seats, yearly))
        else:
            rows.append((f"c{i}", f"s{i}", start, pd.NaT, mrr, seats, yearly))
    frame = pd.DataFrame(rows, columns=["customer_id", "subscription_id", "start_date", "end_date", "mrr", "seats", "yearly"])
    frame["amount"] = frame["mrr"] * np.where(frame["yearly"], 12, 1) / frame["seats"]
    frame["interval"] = np.where(frame["yearly"], "year", "month")
    frame["plan"] = np.where(frame["yearly"], "annual", "monthly")
    return frame


def monthly_lines(frame: pd.DataFrame, until: str = "2024-01-01") -> pd.DataFrame:
    """Invoice lines: one per month of each span, up to `until`."""
    parts = []
    for months in range(13):
        start = frame["start_date"] + pd.DateOffset(months=months)
        end = start + pd.DateOffset(months=1)
        live = (start < pd.Timestamp(until)) & (frame["end_date"].isna() | (start < frame["end_date"]))
        parts.append(frame[live].assign(start_date=start[live], end_date=end[live]))
    return pd.concat(parts, ignore_index=True)


def stamp(dates: pd.Series, fmt: str = "%Y-%m-%d %H:%M") -> pd.Series:
    return dates.dt.strftime(fmt).fillna("")


def write(frame: pd.DataFrame, key: str) -> bytes:
    f = frame
    ended = f["end_date"].notna()
    if key == "stripe_subscriptions":
        out = pd.DataFrame({
            "id": f["subscription_id"], "Customer ID": f["customer_id"], "Customer Email": f["customer_id"] + "@example.com",
            "Status": np.where(ended, "canceled", "active"), "Created (UTC)": stamp(f["start_date"]),
            "Start Date (UTC)": stamp(f["start_date"]), "Current Period Start (UTC)": stamp(f["start_date"]),
            "Current Period End (UTC)": stamp(f["start_date"] + pd.DateOffset(months=1)), "Trial End (UTC)": "",
            "Canceled At (UTC)": stamp(f["end_date"]), "Ended At (UTC)": stamp(f["end_date"]), "Plan": f["plan"],
            "Quantity": f["seats"], "Amount": f["amount"].map("{:.2f}".format), "Currency": "usd", "Interval": f["interval"],
            "segment (metadata)": f["plan"],
        })
    elif key == "chargebee_subscriptions":
        out = pd.DataFrame({
            "Subscription Id": f["subscription_id"], "Customer Id": f["customer_id"], "Plan Id": f["plan"],
            "Plan Quantity": f["seats"], "Plan Unit Price": f["amount"], "Currency Code": "EUR",
            "Status": np.where(ended, "cancelled", "active"), "Trial End": "", "Started At": stamp(f["start_date"], "%Y-%m-%d %H:%M:%S"),
            "Cancelled At": stamp(f["end_date"], "%Y-%m-%d %H:%M:%S"), "Billing Period": 1, "Billing Period Unit": f["interval"],
        })
    elif key == "paddle_subscriptions":
        out = pd.DataFrame({
            "id": f["subscription_id"], "status": np.where(ended, "canceled", "active"), "customer_id": f["customer_id"],
            "currency_code": "USD", "started_at": stamp(f["start_date"], "%Y-%m-%dT%H:%M:%SZ"),
            "first_billed_at": stamp(f["start_date"], "%Y-%m-%dT%H:%M:%SZ"), "paused_at": "",
            "canceled_at": stamp(f["end_date"], "%Y-%m-%dT%H:%M:%SZ"), "billing_cycle.interval": f["interval"],
            "billing_cycle.frequency": 1, "price_id": f["plan"], "quantity": f["seats"],
            "unit_price.amount": (f["amount"] * 100).round().astype(int),
        })
    elif key == "baremetrics_subscriptions":
        out = pd.DataFrame({
            "subscription_oid": f["subscription_id"], "customer_oid": f["customer_id"], "plan_oid": f["plan"],
            "plan_name": f["plan"], "plan_amount": (f["amount"] * 100).round().astype(int), "plan_currency": "usd",
            "plan_interval": f["interval"], "plan_interval_count": 1, "quantity": f["seats"],
            "started_at": (f["start_date"] - pd.Timestamp(0)).dt.total_seconds().astype(int),
            "canceled_at": (f["end_date"] - pd.Timestamp(0)).dt.total_seconds().astype("Int64"),
        })
    elif key == "stripe_sync_subscriptions":
        out = pd.DataFrame({
            "id": f["subscription_id"], "customer": f["customer_id"], "status": np.where(ended, "canceled", "active"),
            "created": (f["start_date"] - pd.Timestamp(0)).dt.total_seconds().astype(int),
            "start_date": (f["start_date"] - pd.Timestamp(0)).dt.total_seconds().astype(int),
            "current_period_start": stamp(f["start_date"], "%Y-%m-%d %H:%M:%S"),
            "current_period_end": stamp(f["start_date"] + pd.DateOffset(months=1), "%Y-%m-%d %H:%M:%S"),
            "ended_at": stamp(f["end_date"], "%Y-%m-%d %H:%M:%S"), "trial_end": "", "quantity": f["seats"],
            "plan_id": f["plan"], "plan_amount": (f["amount"] * 100).round().astype(int), "plan_currency": "usd",
            "plan_interval": f["interval"], "plan_interval_count": 1,
        })
    elif key == "recurly_subscriptions":
        out = pd.DataFrame({
            "uuid": f["subscription_id"], "account_code": f["customer_id"], "plan_code": f["plan"],
            "state": np.where(ended, "expired", "active"), "quantity": f["seats"], "unit_amount": f["amount"].map("{:.2f}".format),
            "currency": "USD", "activated_at": stamp(f["start_date"], "%Y-%m-%dT%H:%M:%SZ"),
            "canceled_at": stamp(f["end_date"] - pd.Timedelta(days=10), "%Y-%m-%dT%H:%M:%SZ"),
            "expires_at": stamp(f["end_date"], "%Y-%m-%dT%H:%M:%SZ"), "plan_interval_unit": f["interval"] + "s",
            "plan_interval_length": 1,
        })
    elif key == "lago_subscriptions":
        out = pd.DataFrame({
            "external_id": f["subscription_id"], "external_customer_id": f["customer_id"], "plan_code": f["plan"],
            "status": np.where(ended, "terminated", "active"), "started_at": stamp(f["start_date"], "%Y-%m-%dT%H:%M:%SZ"),
            "terminated_at": stamp(f["end_date"], "%Y-%m-%dT%H:%M:%SZ"),
            "plan_amount_cents": (f["mrr"] * np.where(f["yearly"], 12, 1) * 100).round().astype(int),
            "plan_amount_currency": "EUR", "plan_interval": np.where(f["yearly"], "yearly", "monthly"),
        })
    elif key == "paddle_classic_subscriptions":
        out = pd.DataFrame({
            "subscription_id": f["subscription_id"], "plan_id": f["plan"], "user_id": f["customer_id"],
            "state": np.where(ended, "deleted", "active"), "signup_date": stamp(f["start_date"], "%Y-%m-%d %H:%M:%S"),
            "cancellation_effective_date": stamp(f["end_date"], "%Y-%m-%d"), "quantity": f["seats"],
            "next_payment.amount": f["amount"], "next_payment.currency": "USD", "billing_type": f["interval"], "billing_period": 1,
        })
    elif key == "dbt_mrr":
        out = pd.DataFrame({"subscription_id": f["subscription_id"], "customer_id": f["customer_id"],
                            "start_date": stamp(f["start_date"], "%Y-%m-%d"), "end_date": stamp(f["end_date"], "%Y-%m-%d"),
                            "monthly_amount": f["mrr"]})
    elif key == "stripe_invoices":
        lines = monthly_lines(f)
        out = pd.DataFrame({
            "Invoice ID": "in_" + lines.index.astype(str), "Line Item ID": "il_" + lines.index.astype(str),
            "Customer ID": lines["customer_id"], "Subscription ID": lines["subscription_id"], "Status": "paid",
            "Type": "subscription", "Plan": lines["plan"], "Quantity": lines["seats"], "Amount": lines["mrr"].map("{:.2f}".format),
            "Currency": "usd", "Period Start (UTC)": stamp(lines["start_date"]), "Period End (UTC)": stamp(lines["end_date"]),
        })
    elif key == "chartmogul_line_items":
        lines = monthly_lines(f)
        out = pd.DataFrame({
            "invoice_external_id": "inv_" + lines.index.astype(str), "customer_external_id": lines["customer_id"],
            "currency": "GBP", "type": "subscription", "subscription_external_id": lines["subscription_id"],
            "plan_external_id": lines["plan"], "service_period_start": stamp(lines["start_date"], "%Y-%m-%d"),
            "service_period_end": stamp(lines["end_date"], "%Y-%m-%d"), "amount_in_cents": (lines["mrr"] * 100).round().astype(int),
            "quantity": lines["seats"],
        })
    else:  # generic synonyms
        out = pd.DataFrame({"account_id": f["customer_id"], "started_at": stamp(f["start_date"], "%Y-%m-%d"),
                            "ended_at": stamp(f["end_date"], "%Y-%m-%d"), "mrr_amount": f["mrr"]})
    buffer = io.StringIO()
    out.to_csv(buffer, index=False)
    return buffer.getvalue().encode()


# Payment ledgers (basis "ledger") infer spans from payment dates: tested on their own in test_importing_ledger.py.
@pytest.mark.parametrize("key", [p.key for p in PRESETS if p.basis != "ledger"] + ["generic"])
def test_round_trip_gives_identical_metrics(key):
    frame = canonical()
    expected_table = frame[["customer_id", "subscription_id", "start_date", "end_date", "mrr"]].assign(trial_end=pd.NaT)
    expected = compute_metrics(build_model(expected_table, AS_OF), Query())
    result = load_subscriptions(write(frame, key), f"{key}.csv")
    assert result.preset == key and result.rows_rejected == 0
    got = compute_metrics(build_model(result.table, AS_OF), Query())
    if key in ("stripe_invoices", "chartmogul_line_items"):
        # renewal_rate counts spans (METRICS.md §5) and each invoice line is its own span (§1): a monthly
        # line "ends" every month, so renewals differ by construction; every other metric must match.
        expected, got = expected.drop(columns="renewal_rate"), got.drop(columns="renewal_rate")
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected.reset_index(drop=True))
    # Churners are i % 5 == 0 but not i % 4 == 0: c5, c10, c15, c25, ending 7 months after their start
    # (Jan + i % 6 months): c5 in Jan 2024, c10 on Dec 1, c15 on Nov 1, c25 on Sep 1 -> 30 - 3 = 27 active on Dec 31.
    assert got["customers_end"].iloc[-1] == 27
