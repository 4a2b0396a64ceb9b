"""Seeded random data sets that exercise every rule of METRICS.md §1–§7 at once.

Each customer gets one to four spans: several at once (expansion and contraction), gaps (churn and
reactivation), trials (some longer than the span), free spans, same-day start and end, open ends,
cents in every price.  Customers carry a plan, a country with blanks, and some are missing from the
customers table altogether ("(no value)").  The frames go through the real importer, so the engines
see exactly what an upload gives them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from retention.importing import customers_from_frame, subscriptions_from_frame

START = pd.Timestamp("2019-01-01")


def dataset(seed: int, customers: int = 150) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(canonical subscriptions, canonical customers) for a seed; every random choice comes from it."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(customers):
        day = START + pd.Timedelta(days=int(rng.integers(0, 900)))
        for s in range(int(rng.integers(1, 5))):
            kind = rng.random()
            length = int(rng.integers(1, 500))
            end: pd.Timestamp | None = day + pd.Timedelta(days=length)
            if kind < 0.25:
                end = None  # still running
            elif kind < 0.30:
                end = day  # same-day start and end: no paid day
            amount = 0.0 if rng.random() < 0.1 else round(float(rng.uniform(5, 400)), 2)
            trial = day + pd.Timedelta(days=int(rng.integers(1, 60))) if rng.random() < 0.2 else None
            rows.append({
                "customer_id": f"c{c:04d}", "subscription_id": f"s{c:04d}-{s}",
                "start_date": day.strftime("%Y-%m-%d"), "end_date": "" if end is None else end.strftime("%Y-%m-%d"),
                "mrr": f"{amount:.2f}", "trial_end": "" if trial is None else trial.strftime("%Y-%m-%d"),
            })
            # next span: overlapping (expansion), right after (renewal), or after a gap (reactivation)
            step = rng.choice([0, 1, 2])
            if step == 0 or end is None:
                day = day + pd.Timedelta(days=int(rng.integers(0, 120)))
            elif step == 1:
                day = end
            else:
                day = end + pd.Timedelta(days=int(rng.integers(20, 300)))
    raw = pd.DataFrame(rows)
    subs = subscriptions_from_frame(raw, f"random-{seed}.csv")
    assert subs.rows_read == subs.rows_used + subs.rows_rejected
    people = pd.DataFrame({
        "customer_id": [f"c{c:04d}" for c in range(customers) if rng.random() < 0.9],
    })
    people["plan"] = rng.choice(["Basic", "Pro", "Enterprise"], size=len(people))
    people["country"] = rng.choice(["DE", "FR", "NL", ""], size=len(people))
    custs = customers_from_frame(people.astype(str), f"random-{seed}-customers.csv")
    return subs.table, custs.table
