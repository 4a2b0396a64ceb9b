"""Revenue columns: MRR, or a price per billing interval, recognised from names and values.

The trap this guards against: a price per interval read as MRR.  With a third of customers on
annual plans at 1,200 a year, reading 1,200 as monthly inflates MRR many times over; the
messages must offer the right mapping and never `--map mrr=` for such a column.
"""

from __future__ import annotations

import pandas as pd
import pytest

from retention.importing import load_subscriptions, suggest_mapping
from retention.importing.errors import LoadError
from retention.importing.intervals import parse_billing_intervals


def load(text: str, **options):
    return load_subscriptions(text.encode(), "x.csv", **options)


AMOUNT_USD = (
    "customer,start_date,end_date,amount_usd,billing_interval\n"
    "a,2024-01-01,,120,monthly\n"
    "b,2024-01-01,,1200,annual\n"
    "c,2024-01-01,,1200,yearly\n"
)


def test_amount_usd_and_billing_interval_found_alone():
    result = load(AMOUNT_USD)
    assert result.mapping["amount"] == "amount_usd" and result.mapping["interval"] == "billing_interval"
    # 120 a month + 1200 / 12 + 1200 / 12 = 320, not 2520
    assert result.table["mrr"].tolist() == [120.0, 100.0, 100.0]


@pytest.mark.parametrize(("cell", "months"), [
    ("month", 1), ("Monthly", 1), ("1 month", 1), ("3 months", 3), ("P1M", 1), ("P3M", 3), ("P1Y", 12),
    ("annual", 12), ("yearly", 12), ("12 months", 12), ("quarterly", 3), ("semi-annual", 6), ("every 2 years", 24),
])
def test_interval_values(cell, months):
    parsed, bad = parse_billing_intervals(pd.Series([cell]))
    assert not bad.iloc[0] and parsed.iloc[0] == pytest.approx(months)


def test_interval_column_recognised_by_its_values():
    text = "account,start,price,cycle\na,2024-01-01,30,P1M\nb,2024-01-01,360,P1Y\nc,2024-01-01,90,3 months\n"
    result = load(text)
    assert result.mapping["amount"] == "price" and result.mapping["interval"] == "cycle"
    assert result.table["mrr"].tolist() == [30.0, 30.0, 30.0]


def test_plan_interval_and_unit_amount_names():
    text = "customer_id,start_date,unit_amount,plan_interval\nx,2024-01-01,600,year\n"
    assert load(text).table["mrr"].tolist() == [50.0]


def test_suggested_mapping_shows_amount_and_interval_for_the_data_page():
    _, mapping = suggest_mapping(["customer", "start_date", "amount_usd", "billing_period"],
                                 sample=pd.DataFrame({"customer": ["a"], "start_date": ["2024-01-01"],
                                                      "amount_usd": ["10"], "billing_period": ["monthly"]}))
    assert mapping["amount"] == "amount_usd" and mapping["interval"] == "billing_period" and "mrr" not in mapping


def test_price_mapped_as_mrr_next_to_annual_intervals_is_refused_with_the_right_mapping():
    with pytest.raises(LoadError) as caught:
        load(AMOUNT_USD, mapping={"mrr": "amount_usd"})
    text = caught.value.message()
    assert "--map amount=amount_usd --map interval=billing_interval" in text
    assert "annual, yearly" in text
    # a file of monthly prices only may map its price as MRR
    monthly = "customer,start_date,amount_usd,billing_interval\na,2024-01-01,120,monthly\n"
    assert load(monthly, mapping={"mrr": "amount_usd"}).table["mrr"].tolist() == [120.0]


def test_no_revenue_column_offers_both_mappings():
    with pytest.raises(LoadError) as caught:
        load("customer,start_date,seats\na,2024-01-01,3\n")
    text = caught.value.message()
    assert "--map mrr=YOUR_COLUMN" in text and "--map amount=YOUR_COLUMN --map interval=YOUR_COLUMN" in text


def test_intervals_without_a_price_never_suggest_mrr():
    with pytest.raises(LoadError) as caught:
        load("customer,start_date,charge,billing_interval\na,2024-01-01,10,annual\n")
    text = caught.value.message()
    assert "--map amount=YOUR_COLUMN" in text and "--map mrr" not in text


def test_amount_without_interval_offers_both_readings():
    with pytest.raises(LoadError) as caught:
        load("customer,start_date,amount_usd\na,2024-01-01,10\n")
    text = caught.value.message()
    assert "--map interval=YOUR_COLUMN" in text and "--map mrr=amount_usd" in text


def test_tax_and_discount_amounts_are_not_prices():
    with pytest.raises(LoadError):
        load("customer,start_date,tax_amount,discount_amount,billing_interval\na,2024-01-01,2,1,monthly\n")
