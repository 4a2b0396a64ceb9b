"""NPS and CSAT answers drawn from the same latent health that drives churn.

A customer's score is its health that month plus noise, so detractors are customers whose
health is low, and low health is what makes customers leave: detractors churn noticeably more
in the three months after answering, as they do in real companies (METRICS.md §9).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from retention.sample import catalog
from retention.sample.customers import Customers
from retention.sample.timeline import Timeline

NPS_PANEL = 0.45  # share of customers in the quarterly NPS panel
NPS_RESPONSE = 0.55
CSAT_RESPONSE = 0.35
NPS_COMMENT = np.array([0.70, 0.35, 0.45])  # detractor, passive, promoter
CSAT_COMMENT = 0.30


def _pick(rng: np.random.Generator, group: np.ndarray, pools: tuple[tuple[str, ...], ...], share: np.ndarray) -> np.ndarray:
    """A comment from the pool of each row's group, or "" for rows that left none."""
    texts = np.asarray([t for pool in pools for t in pool] + [""], dtype=object)
    sizes = np.array([len(p) for p in pools])
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    idx = offsets[group] + np.floor(rng.random(len(group)) * sizes[group]).astype(np.int64)
    idx = np.where(rng.random(len(group)) < share[group], idx, len(texts) - 1)
    return texts[idx]


def _response_days(rng: np.random.Generator, timeline: Timeline, month: np.ndarray) -> np.ndarray:
    day = np.floor(rng.random(len(month)) * timeline.days_in_month[month]).astype(np.int64)
    return timeline.starts[month] + day.astype("timedelta64[D]")


def draw_surveys(
    rng: np.random.Generator, cust: Customers, timeline: Timeline, health: np.ndarray, paying: np.ndarray,
    seats: np.ndarray,
) -> pd.DataFrame:
    """Survey answers: `customer_id, date, score, kind, comment`, sorted by date.

    Only customers paying through a whole month answer in it (they were customers on the day
    they answered, whatever day that was).
    """
    n, months = paying.shape
    whole = np.zeros_like(paying)
    whole[:, 1:] = paying[:, 1:] & paying[:, :-1]
    calendar_month = (timeline.first.month - 1 + np.arange(months)) % 12

    # NPS: a panel is asked in the middle month of every quarter; about half answer.
    panel = rng.random(n) < NPS_PANEL
    c, m = np.nonzero(whole & panel[:, None] & (calendar_month % 3 == 1)[None, :])
    keep = rng.random(len(c)) < NPS_RESPONSE
    c, m = c[keep], m[keep]
    nps = np.clip(np.rint(8.3 + 2.1 * health[c, m] + 1.0 * rng.standard_normal(len(c))), 0, 10).astype(np.int64)
    group = np.where(nps <= 6, 0, np.where(nps <= 8, 1, 2))
    pools = (catalog.NPS_COMMENTS["detractor"], catalog.NPS_COMMENTS["passive"], catalog.NPS_COMMENTS["promoter"])
    nps_rows = pd.DataFrame({
        "customer": c, "date": _response_days(rng, timeline, m), "score": nps, "kind": "nps",
        "comment": _pick(rng, group, pools, NPS_COMMENT),
    })

    # CSAT: support tickets come more often from big and unhappy customers; about a third get rated.
    c, m = np.nonzero(whole)
    tickets = rng.poisson(0.10 * seats[c] ** 0.35 * np.exp(-0.35 * health[c, m]))
    rated = rng.binomial(tickets, CSAT_RESPONSE)
    c, m = np.repeat(c, rated), np.repeat(m, rated)
    csat = np.clip(np.rint(4.3 + 0.6 * health[c, m] + 0.9 * rng.standard_normal(len(c))), 1, 5).astype(np.int64)
    group = np.where(csat <= 2, 0, np.where(csat == 3, 1, 2))
    pools = (catalog.CSAT_COMMENTS["low"], catalog.CSAT_COMMENTS["mid"], catalog.CSAT_COMMENTS["high"])
    csat_rows = pd.DataFrame({
        "customer": c, "date": _response_days(rng, timeline, m), "score": csat, "kind": "csat",
        "comment": _pick(rng, group, pools, np.full(3, CSAT_COMMENT)),
    })

    rows = pd.concat([nps_rows, csat_rows], ignore_index=True)
    rows = rows.sort_values(["date", "customer", "kind"], kind="stable").reset_index(drop=True)
    return pd.DataFrame({
        "customer_id": cust.ids[rows["customer"].to_numpy()].astype(object),
        "date": rows["date"].to_numpy().astype("datetime64[ns]"),
        "score": rows["score"].to_numpy(),
        "kind": rows["kind"].to_numpy(),
        "comment": rows["comment"].to_numpy(),
    })
