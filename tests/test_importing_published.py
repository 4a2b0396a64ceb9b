"""Every preset against a file written from its tool's *published* template or export documentation.

Each fixture in `tests/fixtures/presets/` copies the header (and, where the documentation gives
one, the example row) of the source named next to it below; the other rows are made up so that
the month-end MRR they imply can be computed by hand.  Files load with no mapping at all.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from retention.engine.metrics import Query, compute_metrics
from retention.engine.snapshots import build_model
from retention.importing import load_subscriptions

PRESETS = Path(__file__).parent / "fixtures" / "presets"
IMPORTING = Path(__file__).parent / "fixtures" / "importing"

CASES = [
    # Baremetrics "Manual Subscription Import Guide" template (help.baremetrics.com/en/articles/5380088):
    # plan_amount in cents, plan_interval + plan_interval_count, subscription_canceled_at ends the span,
    # subscription_quantity optional (default 1).  Row 1 is the template's own example row.
    # Mar: c1 50 + 50, c2 1200 × 2 / 12 = 200, c3 300 / 3 months = 100 -> 400; Apr: c3 cancelled on the
    # 15th -> 300; May: subscription_1 cancelled on the 4th -> 250.
    ("presets/baremetrics_template.csv", "baremetrics_subscriptions", "2020-06-30",
     {"2020-03": 400, "2020-04": 300, "2020-05": 250}, 0),
    # ChartMogul Import Invoices (dev.chartmogul.com/reference/import-customers-invoices), the documented
    # example invoice flattened one line item a row: amount_in_cents is after discount and *with* tax, and
    # MRR leaves tax out: (5000 − 900) / 100 = 41; the one_time "Setup Fees" line is rejected; cus_0002's
    # yearly line 120000 / 100 / 12 = 100.
    ("presets/chartmogul_invoices.csv", "chartmogul_line_items", "2015-12-31", {"2015-11": 141, "2015-12": 141}, 1),
    # Chargebee subscriptions export, columns named table.field as in the export and the data catalog
    # (datacatalog.chargebee.com/subscriptions): plan_unit_price × plan_quantity per billing_period
    # billing_period_unit.  Feb: A 20 × 2 = 40, B 600 / 12 = 50, C 90 / 6 = 15 -> 105; Mar: B cancelled
    # on the 1st, D's trial ends on the 20th -> 40 + 15 + 20 = 75.
    ("presets/chargebee_export.csv", "chargebee_subscriptions", "2024-03-31", {"2024-02": 105, "2024-03": 75}, 0),
    # The Stripe subscription table as warehouse syncs land it (Stripe API names, dates as Unix seconds or
    # timestamps), joined with its plan (amount in cents).  Feb: 49 + 15 × 3 + 600 / 12 + 300 / 3 = 244;
    # Mar: cus_2 ended on the 1st -> 199; the incomplete_expired row is rejected by the status policy.
    ("presets/stripe_sync_subscriptions.csv", "stripe_sync_subscriptions", "2024-03-31", {"2024-02": 244, "2024-03": 199}, 1),
    # Recurly Subscriptions export (docs.recurly.com/docs/subscriptions-exports): expires_at ends a
    # subscription, canceled_at does not.  Jan: 800 + 800 × 2 + 2400 / 12 = 2600; Feb: 1003 expired on
    # the 1st -> 2400; May: 1002 expired on the 1st -> 800.  The failed row is rejected.
    ("presets/recurly_subscriptions.csv", "recurly_subscriptions", "2024-05-31",
     {"2024-01": 2600, "2024-02": 2400, "2024-04": 2400, "2024-05": 800}, 1),
    # Lago subscription object (getlago.com/docs/api-reference/subscriptions/subscription-object) with
    # its plan's amount_cents and interval.  Feb: 99 + 1188 / 12 + 99 + 450 / 3 = 447; Mar: ext_3
    # terminated on the 10th -> 348.
    ("presets/lago_subscriptions.csv", "lago_subscriptions", "2024-03-31", {"2024-02": 447, "2024-03": 348}, 0),
    # Paddle Classic List Users (developer.paddle.com classic API, subscription/users) flattened, with the
    # plan's billing_type and billing_period.  Jan: 5 + 120 / 12 + 5 + 5 = 25; Feb: the deleted one ended
    # on the 1st -> 20; Mar: the paused one stops on paused_from, the 15th -> 15.
    ("presets/paddle_classic_users.csv", "paddle_classic_subscriptions", "2024-03-31",
     {"2024-01": 25, "2024-02": 20, "2024-03": 15}, 0),
    # Stripe Dashboard subscriptions export: Jan 49 × 2 + 1200 / 12 + 100 + 100 = 398; Feb: cus_B ended on
    # the 20th, cus_F (unpaid) stopped at its current period start, Feb 1 -> 198; Mar: cus_C's trial ended
    # on the 15th -> 247.  incomplete and incomplete_expired rows are rejected.
    ("importing/stripe_subscriptions.csv", "stripe_subscriptions", "2024-03-31",
     {"2024-01": 398, "2024-02": 198, "2024-03": 247}, 2),
    # Stripe Dashboard itemized invoice lines: each line's period is its service period; the setup fee
    # (invoiceitem) and the void invoice are rejected; cus_D's 14-day line ends before the month end.
    ("importing/stripe_invoices.csv", "stripe_invoices", "2024-03-31", {"2024-01": 149, "2024-02": 149, "2024-03": 100}, 2),
    # Paddle Billing subscription entity (developer.paddle.com/api-reference/subscriptions), unit_price in
    # cents: Feb 29 + 2 × 49 + 1200 / 12 = 227; Mar: sub_02's trial ends on the 15th, sub_03 paused on
    # the 10th -> 29 + 29 + 100 = 158.
    ("importing/paddle_subscriptions.csv", "paddle_subscriptions", "2024-03-31", {"2024-02": 227, "2024-03": 158}, 0),
]


def month_end_mrr(table: pd.DataFrame, as_of: str) -> dict[str, float]:
    frame = compute_metrics(build_model(table, pd.Timestamp(as_of)), Query())
    return dict(zip(frame["period"].astype(str), frame["mrr_end"], strict=True))


@pytest.mark.parametrize(("fixture", "preset", "as_of", "mrr", "rejected"), CASES, ids=[c[1] for c in CASES])
def test_published_format_loads_without_mapping(fixture, preset, as_of, mrr, rejected):
    path = Path(__file__).parent / "fixtures" / fixture
    result = load_subscriptions(path.read_bytes(), path.name)
    assert result.preset == preset
    assert result.rows_rejected == rejected, result.rejects
    got = month_end_mrr(result.table, as_of)
    for period, value in mrr.items():
        assert got[period] == pytest.approx(value), period


def test_baremetrics_cancellation_ends_the_subscription():
    result = load_subscriptions((PRESETS / "baremetrics_template.csv").read_bytes(), "baremetrics_template.csv")
    ends = result.table.set_index("subscription_id")["end_date"]
    assert ends["subscription_1"] == pd.Timestamp("2020-05-04") and pd.isna(ends["subscription_2"])
    assert result.mapping["end_date"] == "subscription_canceled_at"
    assert result.mapping["quantity"] == "subscription_quantity"


def test_chartmogul_customers_file_gives_segments():
    # ChartMogul CSV import, Customers (help.chartmogul.com "Importing data using structured CSV import"):
    # Name, Email, Company, Country, State, City, Zip, External ID (the customer id the invoices use), ...
    from retention.importing import load_customers

    result = load_customers((PRESETS / "chartmogul_customers.csv").read_bytes(), "chartmogul_customers.csv")
    table = result.table.set_index("customer_id")
    assert result.mapping["customer_id"] == "External ID" and table.loc["cus_0002", "Country"] == "DE"
