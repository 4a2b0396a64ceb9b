"""The hand-worked committed-MRR example, shared by the forecast model test and the engine contract.

As of 2024-03-31: a (100) is canceled and ends 2024-05-15, b (50) is non-renewing with no end yet,
c (30) adds a second subscription of 20 from 2024-05-10, d (70) starts 2024-06-01, e (40) has nothing
scheduled.  March MRR 220; May 140 (a churns 100, c expands 20); June 210 (d new 70).
"""

from __future__ import annotations

import pandas as pd


def scheduled_subscriptions() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": ["a", "b", "c", "c", "d", "e"],
        "start_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-01", "2024-05-10", "2024-06-01", "2024-01-01"]),
        "end_date": pd.to_datetime(["2024-05-15", None, None, None, None, None]),
        "mrr": [100.0, 50.0, 30.0, 20.0, 70.0, 40.0],
        "status": ["canceled", "non_renewing", "active", "active", "active", "active"],
        "trial_end": pd.to_datetime([None] * 6),
    })
