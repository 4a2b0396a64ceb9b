"""Payment history -> subscriptions, on hand-made ledgers whose spans are worked out by hand.

Ledger end: 2025-01-10 (b's second payment); grace period 14 days.
- a pays 50 monthly from Jan 5, then 80 from Apr 5 (an upgrade: a new span at the new price); last
  payment Jun 5 covers to Jul 5, and Jul 5 + 14 days is long before the ledger's end: churned Jul 5.
- b pays 1200 on 2024-01-10 and 2025-01-10: yearly, MRR 100, still running.
- c pays 30 monthly Jan 20 – Mar 20 and is refunded once (the refund row is rejected): ends Apr 20.
- d pays 90 every three months from Feb 1 (quarterly, MRR 30) and a 500 one-off 8 days after its
  Aug 1 payment (rejected, off the billing cycle); ends Nov 1.
- e pays 1200 once: like b, who pays that amount yearly, so yearly, MRR 100; covered to 2025-01-15,
  still running at the ledger's end.
- f pays 25 monthly Mar 1 – May 1, stops, and pays again Aug 1 and Sep 1: churned Jun 1, back Aug 1,
  churned again Oct 1.
- g's only payment failed: rejected.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from retention.engine.metrics import Query, compute_metrics
from retention.engine.snapshots import build_model
from retention.importing import load_subscriptions, preview, suggest_mapping
from retention.importing.ledger import LedgerSettings

PRESETS = Path(__file__).parent / "fixtures" / "presets"

LEDGER = """customer,date,amount,status
a,2024-01-05,50,paid
a,2024-02-05,50,paid
a,2024-03-05,50,paid
a,2024-04-05,80,paid
a,2024-05-05,80,paid
a,2024-06-05,80,paid
b,2024-01-10,1200,paid
b,2025-01-10,1200,paid
c,2024-01-20,30,paid
c,2024-02-20,30,paid
c,2024-03-20,30,paid
c,2024-03-22,-30,paid
d,2024-02-01,90,paid
d,2024-05-01,90,paid
d,2024-08-01,90,paid
d,2024-08-09,500,paid
e,2024-01-15,1200,paid
f,2024-03-01,25,paid
f,2024-04-01,25,paid
f,2024-05-01,25,paid
f,2024-08-01,25,paid
f,2024-09-01,25,paid
g,2024-06-01,40,failed
"""

D = pd.Timestamp


def load(text: str = LEDGER, **options):
    return load_subscriptions(text.encode(), "ledger.csv", **options)


def test_spans_inferred_customer_by_customer():
    result = load()
    assert result.preset == "generic_ledger"
    assert (result.rows_read, result.rows_used, result.rows_rejected) == (23, 20, 3)
    spans = result.table.sort_values(["customer_id", "start_date"])
    got = [(r.customer_id, r.start_date, r.end_date, r.mrr) for r in spans.itertuples()]
    NaT = pd.NaT
    expected = [
        ("a", D("2024-01-05"), D("2024-04-05"), 50.0), ("a", D("2024-04-05"), D("2024-07-05"), 80.0),
        ("b", D("2024-01-10"), NaT, 100.0),
        ("c", D("2024-01-20"), D("2024-04-20"), 30.0),
        ("d", D("2024-02-01"), D("2024-11-01"), 30.0),
        ("e", D("2024-01-15"), NaT, 100.0),
        ("f", D("2024-03-01"), D("2024-06-01"), 25.0), ("f", D("2024-08-01"), D("2024-10-01"), 25.0),
    ]
    assert len(got) == len(expected)
    for (c, s, e, m), (c2, s2, e2, m2) in zip(got, expected, strict=True):
        assert (c, s, m) == (c2, s2, m2) and (e == e2 or (pd.isna(e) and pd.isna(e2)))


def test_rejected_payments_say_why():
    reasons = load().rejects.set_index("row")["reason"].to_dict()
    assert reasons == {13: "refund or credit (negative amount)", 17: "one-off charge (off the billing cycle)",
                       24: "not a successful payment"}


def test_explanation_per_customer():
    exp = load().explanation.set_index("customer_id")
    assert exp.loc["b", "cadence"] == "yearly" and exp.loc["d", "cadence"] == "quarterly"
    assert exp.loc["e", "note"] == "one payment: cadence of customers paying the same amount"
    assert exp.loc["f", "spans"] == 2 and exp.loc["f", "ends"] == D("2024-10-01")
    assert exp.loc["a", "payments"] == 6 and exp.loc["d", "payments"] == 3


def test_month_end_mrr_from_the_ledger():
    frame = compute_metrics(build_model(load().table, D("2024-12-31")), Query())
    mrr = dict(zip(frame["period"].astype(str), frame["mrr_end"], strict=True))
    # Jan: a 50 + b 100 + c 30 + e 100; Apr: a 80 + b 100 + d 30 + e 100 + f 25 (c ended Apr 20);
    # Jun: f churned Jun 1 -> a 80 + b + d + e; Aug: a ended Jul 5, f back -> 100 + 30 + 100 + 25
    assert (mrr["2024-01"], mrr["2024-04"], mrr["2024-06"], mrr["2024-08"]) == (280, 335, 310, 255)


def test_grace_period_is_a_setting():
    text = "customer,date,amount\nx,2024-01-01,10\nx,2024-02-01,10\nx,2024-03-20,10\nx,2024-04-20,10\n"
    # Mar 20 is 18 days after the Mar 1 cover end: a churn and return with 14 days of grace, one span with 30
    assert len(load(text).table) == 2
    assert len(load(text, ledger_settings=LedgerSettings(grace_days=30)).table) == 1


def test_detected_for_the_mapping_editor_and_previewed():
    preset, mapping = suggest_mapping(["customer", "date", "amount", "status"])
    assert preset.key == "generic_ledger" and mapping["start_date"] == "date" and mapping["amount"] == "amount"
    shown = preview(LEDGER.encode(), "ledger.csv", rows=30)
    assert shown.set_index("row").loc[17, "reject_reason"] == "one-off charge (off the billing cycle)"


CASES = [
    # Stripe Dashboard invoices export (one row per invoice): Amount Paid includes Tax, which MRR leaves out;
    # the void invoice and the invoice without a subscription are rejected.  cus_1 pays 59 - 10 = 49 monthly
    # Jan–Mar (ledger end Mar 1: still running); cus_2 pays 1200 yearly... once, like nobody else: monthly
    # is assumed and said so, and its cover ends Feb 15, before the ledger end: churned.
    ("stripe_invoices_export.csv", "stripe_invoice_payments", (6, 4, 2),
     [("cus_1", "2024-01-01", None, 49.0), ("cus_2", "2024-01-15", "2024-02-15", 1200.0)]),
    # Stripe Dashboard payments export (unified_payments.csv): Converted Amount in the account currency,
    # net of Converted Amount Refunded; the failed charge, the fully refunded one and the one without an
    # invoice (a one-off) are rejected.  cus_A: 20 monthly Jan–Apr; cus_B 45 - 5 partial refund = 40, then 40.
    ("stripe_payments_export.csv", "stripe_payments", (9, 6, 3),
     [("cus_A", "2024-01-03", None, 20.0), ("cus_B", "2024-03-01", None, 40.0)]),
    # Paddle Billing transactions (amounts in cents, tax taken off): ctm_1 pays 1190 - 190 = 10.00 monthly;
    # the subscription_charge (a one-time charge) and the canceled transaction are rejected.
    ("paddle_transactions.csv", "paddle_transactions", (5, 3, 2), [("ctm_1", "2024-01-02", None, 10.0)]),
]


@pytest.mark.parametrize(("fixture", "preset", "rows", "spans"), CASES, ids=[c[1] for c in CASES])
def test_published_payment_exports(fixture, preset, rows, spans):
    result = load_subscriptions((PRESETS / fixture).read_bytes(), fixture)
    assert result.preset == preset
    assert (result.rows_read, result.rows_used, result.rows_rejected) == rows, result.rejects
    table = result.table.sort_values(["customer_id", "start_date"])
    got = [(r.customer_id, r.start_date, r.end_date, r.mrr) for r in table.itertuples()]
    want = [(c, D(s), D(e) if e else pd.NaT, m) for c, s, e, m in spans]
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert g[:2] == w[:2] and g[3] == pytest.approx(w[3]) and (g[2] == w[2] or (pd.isna(g[2]) and pd.isna(w[2])))


def test_data_runs_to_the_last_payment():
    from retention.dataset import Dataset

    # b's 2025-01-10 payment renews its open span: no span starts or ends then, yet the data runs to it
    assert Dataset(load()).default_as_of() == D("2025-01-10")


PADDLE_PERIODS = """id,status,customer_id,currency_code,origin,subscription_id,billing_period.starts_at,\
billing_period.ends_at,billed_at,details.totals.tax,details.totals.total
txn_1,completed,ctm_1,EUR,web,sub_1,2024-01-02T10:00:00Z,2024-02-02T10:00:00Z,2024-01-02T10:00:00Z,0,1000
txn_2,completed,ctm_1,EUR,subscription_recurring,sub_1,2024-02-02T10:00:00Z,2024-03-02T10:00:00Z,2024-02-02T10:00:00Z,0,1000
txn_3,completed,ctm_3,EUR,web,sub_3,2024-01-15T09:00:00Z,2025-01-15T09:00:00Z,2024-01-15T09:00:00Z,0,120000
txn_4,completed,ctm_4,EUR,web,sub_4,2024-06-01T08:00:00Z,2024-07-01T08:00:00Z,2024-06-01T08:00:00Z,0,1000
"""


def test_paddle_billing_periods_give_the_cadence_and_the_cover():
    # The ledger ends 2024-06-01 (ctm_4's payment); grace 14 days.
    # - ctm_1 pays 10.00 for Jan 2–Feb 2 and Feb 2–Mar 2; Mar 2 + 14 days is before the ledger's end: ends Mar 2.
    # - ctm_3 pays 1,200.00 once for a year (Jan 15 2024 – Jan 15 2025): yearly from its billing period,
    #   MRR 100, still running. Read from the gaps alone, one payment would be taken as monthly: MRR 1,200.
    # - ctm_4 pays 10.00 once for Jun 1–Jul 1: monthly, still running.
    result = load_subscriptions(PADDLE_PERIODS.encode(), "transactions.csv")
    assert result.preset == "paddle_transactions"
    table = result.table.sort_values("customer_id")
    got = [(r.customer_id, r.start_date, None if pd.isna(r.end_date) else r.end_date, r.mrr) for r in table.itertuples()]
    assert got == [("ctm_1", D("2024-01-02"), D("2024-03-02"), 10.0), ("ctm_3", D("2024-01-15"), None, 100.0),
                   ("ctm_4", D("2024-06-01"), None, 10.0)]
    notes = result.explanation.set_index("customer_id")
    assert notes.loc["ctm_3", "cadence"] == "yearly"
    assert notes.loc["ctm_3", "note"] == "cadence from the billing periods in the file"
