"""Who signs up, when, on which plan: the customer list of the made-up company.

Attributes are drawn together so that they hang together the way they do in a real B2B
business: Enterprise customers are large and come through outbound sales, Starter customers
are small and find the product by search.  A latent `fit` per customer (how well the product
suits them) is drawn here too; it never appears in the files but drives trials, churn, usage
and survey scores, which is what makes those tables tell one consistent story.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from retention.sample import catalog
from retention.sample.timeline import Timeline

MONTHLY_GROWTH = 0.01  # new signups grow about 1 % a month (x1.4 over three years)
# Signups by calendar month: quiet summers and Decembers, busy Januaries and Septembers.
SEASON = np.array([1.15, 1.05, 1.05, 1.00, 1.00, 0.90, 0.70, 0.60, 1.15, 1.10, 1.00, 0.60])


def categorical(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One category per row of `probs` (rows sum to 1), vectorised inverse-CDF sampling."""
    cum = np.cumsum(probs, axis=-1)
    u = rng.random(probs.shape[0])
    return np.minimum((u[:, None] > cum).sum(axis=1), probs.shape[1] - 1)


@dataclass(frozen=True)
class Customers:
    """Per-customer arrays, in signup order (customer i has id number i + 1)."""

    ids: np.ndarray
    names: np.ndarray
    signup: np.ndarray  # datetime64[D]
    tier: np.ndarray
    seats: np.ndarray
    size: np.ndarray
    channel: np.ndarray
    country: np.ndarray
    industry: np.ndarray
    utc_offset: np.ndarray  # hours
    fit: np.ndarray  # latent, N(0, 1)-ish
    trial: np.ndarray  # bool: starts with a 14-day trial
    trial_fails: np.ndarray  # bool: the trial never converts
    discount: np.ndarray  # negotiated discount on the list price (Enterprise)
    annual: np.ndarray  # bool: billed yearly from the start

    def __len__(self) -> int:
        return len(self.ids)


def signup_dates(rng: np.random.Generator, n: int, timeline: Timeline) -> np.ndarray:
    """Sorted signup days with growth and seasonality; the last one is the data's last day.

    Pinning the latest signup to the last day makes that day the latest start date in the
    subscriptions, so the app's default as-of date is the end of the last month.
    """
    m = np.arange(timeline.months)
    calendar_month = (timeline.first.month - 1 + m) % 12
    weights = np.exp(MONTHLY_GROWTH * m) * SEASON[calendar_month]
    month = rng.choice(timeline.months, size=n, p=weights / weights.sum())
    day = 1 + np.floor(rng.random(n) * timeline.days_in_month[month]).astype(np.int64)
    dates = np.sort(timeline.on_day(month, day))
    dates[-1] = timeline.last_day
    return dates


def company_names(rng: np.random.Generator, industry: np.ndarray, country: np.ndarray) -> np.ndarray:
    """Names like "Northgate Logistics B.V.": invented head + tail, a word of the industry, the legal form."""
    n = len(industry)
    heads = np.asarray(catalog.NAME_HEADS)[rng.integers(0, len(catalog.NAME_HEADS), n)]
    tails = np.asarray(catalog.NAME_TAILS)[rng.integers(0, len(catalog.NAME_TAILS), n)]
    words = np.asarray(catalog.INDUSTRY_WORDS)[industry, rng.integers(0, 3, n)]
    suffix = np.asarray(catalog.LEGAL_SUFFIX)[country]
    return np.char.add(np.char.add(np.char.add(np.char.add(heads, tails), " "), np.char.add(words, " ")), suffix)


def draw_customers(rng: np.random.Generator, n: int, timeline: Timeline) -> Customers:
    if n < 1:
        raise ValueError("customers must be at least 1")
    signup = signup_dates(rng, n, timeline)
    tier = categorical(rng, np.broadcast_to(catalog.PLAN_SHARE, (n, len(catalog.PLANS))))
    size = categorical(rng, catalog.SIZE_BY_PLAN[tier])
    channel = categorical(rng, catalog.CHANNEL_BY_PLAN[tier])
    country = categorical(rng, np.broadcast_to(catalog.COUNTRY_SHARE, (n, len(catalog.COUNTRIES))))
    industry = categorical(rng, np.broadcast_to(catalog.INDUSTRY_SHARE, (n, len(catalog.INDUSTRIES))))

    median = catalog.SEATS_MEDIAN[tier] * catalog.SEATS_BY_SIZE[size]
    seats = np.rint(median * np.exp(0.55 * rng.standard_normal(n))).astype(np.int64)
    seats = np.clip(seats, catalog.SEATS_MIN[tier], catalog.SEATS_MAX[tier])

    offset = catalog.COUNTRY_UTC_OFFSET[country].copy()
    us = np.asarray(catalog.COUNTRIES)[country] == "US"
    offset[us] = catalog.US_OFFSETS[rng.integers(0, len(catalog.US_OFFSETS), int(us.sum()))]

    fit = (rng.standard_normal(n) + catalog.CHANNEL_FIT[channel]).astype(np.float64)
    trial = rng.random(n) < catalog.TRIAL_SHARE[tier]
    trial_fails = trial & (rng.random(n) < np.clip(catalog.TRIAL_FAILS * np.exp(-0.6 * fit), 0.0, 0.9))
    discount = np.where(tier == 3, np.round(rng.uniform(0.0, 0.25, n), 2), 0.0)
    annual = rng.random(n) < catalog.ANNUAL_SHARE[tier]

    width = max(5, len(str(n)))
    ids = np.char.add("C", np.char.zfill(np.arange(1, n + 1).astype(str), width))
    return Customers(
        ids=ids, names=company_names(rng, industry, country), signup=signup, tier=tier, seats=seats,
        size=size, channel=channel, country=country, industry=industry, utc_offset=offset, fit=fit,
        trial=trial, trial_fails=trial_fails, discount=discount, annual=annual,
    )
