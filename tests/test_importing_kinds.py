"""The wrong file where the subscriptions go: the message says what the file is and where it belongs."""

from __future__ import annotations

import pytest

from retention.importing import LoadError, load_subscriptions
from retention.importing.kinds import header_kind

CASES = [
    # ChartMogul's plans import template: name, interval_count, interval_unit, external_id.
    ("plans.csv", "name,interval_count,interval_unit,external_id\nGold Monthly,1,month,gold_monthly\n", "plans",
     "list of plans or prices"),
    ("usage.csv", "timestamp,user_id,event\n2024-01-01T10:00:00,u1,login\n", "events", "product usage events"),
    ("nps.csv", "customer_id,responded_at,nps_score\nc1,2024-01-01,9\n", "surveys", "survey answers"),
    ("cancellations.csv", "account_id,churn_date,reason_code\nc1,2024-01-01,budget\n", "churn_reasons", "churn reasons"),
    ("accounts.csv", "customer_id,company,country,industry\nc1,Acme,NL,Retail\n", "customers", "customers list"),
]


@pytest.mark.parametrize(("name", "text", "kind", "words"), CASES, ids=[c[2] for c in CASES])
def test_another_kind_of_file_is_named(name, text, kind, words):
    assert header_kind(text.splitlines()[0].split(",")) == kind
    with pytest.raises(LoadError) as caught:
        load_subscriptions(text.encode(), name)
    message = caught.value.message()
    assert message.startswith(f"{name}, row 1: this file looks like") and words in message


def test_a_subscriptions_file_missing_a_column_still_gets_the_column_message():
    with pytest.raises(LoadError) as caught:
        load_subscriptions(b"customer_id,mrr\nc1,10\n", "subs.csv")
    assert "no column for 'start_date'" in caught.value.message()
