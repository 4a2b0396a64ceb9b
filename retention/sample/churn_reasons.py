"""Cancellation records for the sample's churned customers, like a billing tool's cancellation export.

Drawn after the billing history from its own seed stream, so adding them changed no other table.
A customer churns where its last main-plan span ends with no main span starting that day (a plan
change closes one span and opens the next on the same day).  Most churns get a record dated up to
three weeks before the end (cancel at the end of the term); about one in six has none, as in real
exports.  Reasons follow the story of the data: Starter customers leave over price more, bigger
plans over missing features and support; the bad month (a price rise) brings "price increase";
about one in ten is a failed payment (involuntary).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from retention.sample import catalog

REASONS = ("too expensive", "missing features", "switched to a competitor", "not using it enough", "poor support",
           "company closed", "payment failed", "price increase")
WEIGHTS = {  # per plan: the first seven reasons (price increase is the bad month's own)
    "Starter": (0.30, 0.12, 0.14, 0.22, 0.05, 0.07, 0.10),
    "Growth": (0.22, 0.18, 0.18, 0.16, 0.08, 0.08, 0.10),
    "Pro": (0.14, 0.26, 0.22, 0.10, 0.12, 0.06, 0.10),
    "Enterprise": (0.10, 0.28, 0.26, 0.06, 0.16, 0.04, 0.10),
}
COMMENTS = {
    "too expensive": ("Too expensive for a team our size.", "We found a cheaper plan elsewhere.",
                      "Budget cuts this quarter."),
    "missing features": ("No SSO.", "We needed a Salesforce integration.", "Reports are too limited for us."),
    "switched to a competitor": ("Moved to the tool our parent company uses.", "The competitor offered a better deal."),
    "not using it enough": ("Only two people logged in.", "We never finished the onboarding."),
    "poor support": ("Tickets took days to get an answer.", "Nobody helped with the migration."),
    "company closed": ("We are winding down the business.",),
    "payment failed": ("Card expired.",),
    "price increase": ("The new price is too high for us.", "Not worth it after the price rise."),
}
RECORDED = 0.84
COMMENTED = 0.45
REFUNDED = 0.25  # share of yearly customers refunded part of their term


def churn_records(rng: np.random.Generator, subscriptions: pd.DataFrame, bad_month_start: np.datetime64 | None
                  ) -> pd.DataFrame:
    """customer_id, date, reason, comment, refund for the churns of `subscriptions` (the generator's frame)."""
    main = subscriptions[subscriptions["plan"] != catalog.ADDON_PLAN]
    starts = set(zip(main["customer_id"], main["start_date"], strict=True))
    paid = main["trial_end"].isna() | (main["trial_end"] < main["end_date"])  # a trial that never converted is no churn
    ended = main[main["end_date"].notna() & paid]
    churned = ended[[(c, e) not in starts for c, e in zip(ended["customer_id"], ended["end_date"], strict=True)]]
    churned = churned.sort_values(["end_date", "customer_id"], kind="stable").reset_index(drop=True)
    n = len(churned)
    recorded = rng.random(n) < RECORDED
    lead = np.floor(rng.random(n) * 22).astype(np.int64)
    dates = churned["end_date"].to_numpy() - lead.astype("timedelta64[D]")
    u = rng.random(n)
    reasons = np.empty(n, dtype=object)
    for plan, weights in WEIGHTS.items():
        rows = churned["plan"].to_numpy() == plan
        edges = np.cumsum(weights) / np.sum(weights)
        reasons[rows] = np.asarray(REASONS[:7], dtype=object)[np.searchsorted(edges, u[rows], side="right").clip(0, 6)]
    if bad_month_start is not None:
        in_bad = (churned["end_date"].to_numpy() >= bad_month_start) & \
                 (churned["end_date"].to_numpy() < bad_month_start + np.timedelta64(45, "D"))
        rise = in_bad & (rng.random(n) < 0.6) & (reasons != "payment failed")
        reasons[rise] = "price increase"
    pick = rng.random(n)
    comments = np.array([COMMENTS[r][int(p * len(COMMENTS[r]))] for r, p in zip(reasons, pick, strict=True)], dtype=object)
    comments[rng.random(n) >= COMMENTED] = ""
    yearly = churned["interval"].to_numpy() == "year"
    refund = np.where(yearly & (rng.random(n) < REFUNDED),
                      np.round(churned["amount"].to_numpy() * churned["quantity"].to_numpy() * rng.random(n) * 0.3, 2), 0.0)
    frame = pd.DataFrame({"customer_id": churned["customer_id"].to_numpy(dtype=object), "date": dates,
                          "reason": reasons, "comment": comments, "refund": refund})
    return frame[recorded].sort_values(["date", "customer_id"], kind="stable").reset_index(drop=True)
