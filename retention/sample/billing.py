"""The billing history: a month-by-month simulation of every customer's subscriptions.

Each month, on their billing day, paying customers may churn, change plan or seats, switch to
yearly billing, or buy or drop the add-on; churned customers may come back.  Every change
closes the running span and opens the next one on the same day (`end_date` is exclusive), so
the spans of one customer are consecutive and the metric engine sees expansion, contraction,
churn and reactivation exactly where the simulation put them.

The loop runs over months, never over customers: every step is one array operation over all
customers, so 200,000 customers over four years take seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from retention.sample import catalog
from retention.sample.customers import Customers
from retention.sample.timeline import Timeline

NAT = np.datetime64("NaT", "D")
ADDON_TIER = -1
# Churn multiplier by months since the paid start: the first months are the riskiest.
TENURE_RISK = np.array([1.8, 1.8, 1.55, 1.35, 1.15, 1.15, 1.15, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.85])
HEALTH_RHO = 0.85  # month-to-month persistence of a customer's health
BAD_MONTH_BACK = 8
"""The bad month to talk about in a demo: eight months before the data's end a price rise makes
churn and downgrades jump (`BAD_MONTH_RISK` times the usual hazard) for one month."""
BAD_MONTH_RISK = 2.5


def health_paths(rng: np.random.Generator, fit: np.ndarray, months: int) -> np.ndarray:
    """Latent health per customer and month: a fixed fit plus an AR(1) mood with variance about 1.

    The same health drives churn, plan changes, product usage and survey scores, so a customer
    who answers 3 in a survey is one who is about to use the product less and leave.
    """
    n = len(fit)
    z = np.empty((n, months), dtype=np.float32)
    z[:, 0] = rng.standard_normal(n)
    shock = np.sqrt(1.0 - HEALTH_RHO**2)
    for m in range(1, months):
        z[:, m] = HEALTH_RHO * z[:, m - 1] + shock * rng.standard_normal(n)
    return (0.55 * fit[:, None] + 0.835 * z).astype(np.float32)


def list_amount(tier: np.ndarray, annual: np.ndarray, discount: np.ndarray) -> np.ndarray:
    """Price per seat per billing interval in whole dollars; Enterprise gets its negotiated discount."""
    price = catalog.PRICE_MONTH[tier] * np.where(annual, catalog.ANNUAL_MONTHS_CHARGED, 1)
    return np.rint(price * (1.0 - np.where(tier == 3, discount, 0.0))).astype(np.int64)


class _Records:
    """Span rows collected month by month as arrays, concatenated once at the end."""

    FIELDS = ("customer", "tier", "seats", "annual", "amount", "start", "end", "trial_end")

    def __init__(self) -> None:
        self.parts: dict[str, list[np.ndarray]] = {f: [] for f in self.FIELDS}

    def add(self, mask: np.ndarray, **columns: np.ndarray) -> None:
        if not mask.any():
            return
        for name in self.FIELDS:
            self.parts[name].append(np.asarray(columns[name])[mask])

    def arrays(self) -> dict[str, np.ndarray]:
        return {name: np.concatenate(parts) for name, parts in self.parts.items()}


@dataclass(frozen=True)
class Billing:
    """Every subscription span plus the month-end paying matrix the surveys need."""

    spans: dict[str, np.ndarray]  # customer, tier (-1 = add-on), seats, annual, amount, start, end, trial_end
    paying: np.ndarray  # bool (customers, months): MRR > 0 at the month's last day
    seats_max: np.ndarray  # most seats each customer ever had


def simulate(rng: np.random.Generator, cust: Customers, timeline: Timeline, health: np.ndarray) -> Billing:
    n, months = len(cust), timeline.months
    everyone = np.arange(n)
    out = _Records()

    trial_end = np.where(cust.trial, cust.signup + np.timedelta64(catalog.TRIAL_DAYS, "D"), NAT)
    paid_from = np.where(cust.trial, trial_end, cust.signup)
    signup_month = timeline.month_of(cust.signup)
    month_end = timeline.starts[1:] - np.timedelta64(1, "D")

    tier, seats, annual = cust.tier.copy(), cust.seats.copy(), cust.annual.copy()
    amount = list_amount(tier, annual, cust.discount)

    # Trials that never convert: one unpaid span ending with the trial (still running if the trial is).
    failed = cust.trial_fails
    out.add(failed, customer=everyone, tier=tier, seats=seats, annual=annual, amount=amount, start=cust.signup,
            end=np.where(trial_end <= timeline.last_day, trial_end, NAT), trial_end=trial_end)

    active = np.zeros(n, dtype=bool)
    span_start = np.full(n, NAT)
    span_trial = np.full(n, NAT)
    bill_day = (paid_from - paid_from.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    tenure_start = timeline.month_of(paid_from)
    anchor = tenure_start.copy()  # month of the last yearly renewal (or of the switch to yearly)
    addon = np.zeros(n, dtype=bool)
    addon_start = np.full(n, NAT)
    addon_seats = np.zeros(n, dtype=np.int64)
    return_month = np.full(n, -1)
    seats_max = seats.copy()
    paying = np.zeros((n, months), dtype=bool)
    bad_month = months - BAD_MONTH_BACK if months > BAD_MONTH_BACK + 3 else -1

    def close_main(mask: np.ndarray, end: np.ndarray) -> None:
        out.add(mask, customer=everyone, tier=tier, seats=seats, annual=annual, amount=amount, start=span_start,
                end=end, trial_end=span_trial)

    def close_addon(mask: np.ndarray, end: np.ndarray) -> None:
        out.add(mask, customer=everyone, tier=np.full(n, ADDON_TIER), seats=addon_seats, annual=np.zeros(n, bool),
                amount=np.full(n, catalog.ADDON_PRICE_MONTH), start=addon_start, end=end, trial_end=np.full(n, NAT))

    for m in range(months):
        joining = (signup_month == m) & ~failed
        active[joining] = True
        span_start[joining] = cust.signup[joining]
        span_trial[joining] = trial_end[joining]

        h = health[:, m].astype(np.float64)
        u = rng.random((10, n))
        due = active & (m > tenure_start)  # a billing day after the first paid month
        date = timeline.on_day(m, bill_day)
        tenure = np.clip(m - tenure_start, 0, len(TENURE_RISK) - 1)
        renewal = annual & ((m - anchor) % 12 == 0)

        # Churn: monthly customers can leave any billing day, yearly ones only at renewal.
        shock = BAD_MONTH_RISK if m == bad_month else 1.0
        hazard = np.minimum(catalog.CHURN_BASE[tier] * TENURE_RISK[tenure] * np.exp(-0.9 * h) * shock, 0.6)
        yearly = (1.0 - (1.0 - hazard) ** 12) * catalog.ANNUAL_RENEWAL_DAMPING
        churn = due & (u[0] < np.where(annual, np.where(renewal, yearly, 0.0), hazard))
        close_main(churn, date)
        close_addon(churn & addon, date)
        active &= ~churn
        addon &= ~churn
        winback = churn & (u[1] < catalog.WINBACK_SHARE[tier])
        gap = 1 + rng.geometric(0.2, n)  # at least two months away, about six on average
        return_month = np.where(winback, m + gap, return_month)

        # Plan and seat changes; yearly customers only cut back at renewal.
        stay = due & ~churn
        can_cut = ~annual | renewal
        up = stay & (tier < 3) & (u[2] < 0.012 * np.exp(0.5 * h))
        more = stay & ~up & (u[3] < 0.035 * np.exp(0.45 * h))
        down = stay & ~up & ~more & can_cut & (tier > 0) & (u[4] < 0.012 * shock * np.exp(-0.6 * h))
        fewer = stay & ~up & ~more & ~down & can_cut & (seats > 1) & (u[5] < 0.035 * shock * np.exp(-0.5 * h))
        to_year = stay & ~(up | more | down | fewer) & ~annual & (tier >= 1) & (u[6] < 0.008)
        changed = up | more | down | fewer | to_year
        close_main(changed, date)
        step = np.maximum(1, np.rint(seats * (0.05 + 0.25 * u[7]))).astype(np.int64)
        tier = tier + up - down
        seats = np.where(more, seats + step, seats)
        seats = np.where(fewer, np.maximum(1, seats - np.maximum(1, np.rint(seats * 0.4 * u[7]).astype(np.int64))), seats)
        seats = np.where(up | down, np.clip(seats, catalog.SEATS_MIN[tier], catalog.SEATS_MAX[tier]), seats)
        annual = annual | to_year
        anchor = np.where(to_year, m, anchor)
        amount = np.where(changed, list_amount(tier, annual, cust.discount), amount)
        span_start = np.where(changed, date, span_start)
        span_trial = np.where(changed, NAT, span_trial)
        seats_max = np.maximum(seats_max, seats)

        # The add-on: a second subscription; dropping it while staying is contraction, not churn.
        drop_addon = stay & addon & (u[8] < 0.035 * np.exp(-0.4 * h))
        buy_addon = stay & ~addon & (tier >= 1) & (u[9] < 0.012 * np.exp(0.3 * h))
        close_addon(drop_addon, date)
        addon = (addon & ~drop_addon) | buy_addon
        addon_start = np.where(buy_addon, date, addon_start)
        addon_seats = np.where(buy_addon, np.maximum(1, np.rint(seats * (0.3 + 0.7 * u[1]))).astype(np.int64), addon_seats)

        # Win-backs: a new monthly subscription, often on a smaller plan, with a new billing day.
        back = ~active & (return_month == m)
        if back.any():
            v = rng.random((3, n))
            day = 1 + np.floor(v[0] * timeline.days_in_month[m]).astype(np.int64)
            tier = np.where(back & (v[1] < 0.3), np.maximum(tier - 1, 0), tier)
            seats = np.where(back, np.maximum(catalog.SEATS_MIN[tier], np.rint(seats * (0.5 + 0.5 * v[2]))), seats)
            seats = seats.astype(np.int64)
            annual = annual & ~back
            amount = np.where(back, list_amount(tier, annual, cust.discount), amount)
            bill_day = np.where(back, day, bill_day)
            start = timeline.on_day(m, day)
            span_start = np.where(back, start, span_start)
            span_trial = np.where(back, NAT, span_trial)
            paid_from = np.where(back, start, paid_from)
            tenure_start = np.where(back, m, tenure_start)
            anchor = np.where(back, m, anchor)
            active |= back
            return_month = np.where(back, -1, return_month)

        paying[:, m] = active & (paid_from <= month_end[m])

    close_main(active, np.full(n, NAT))
    close_addon(addon, np.full(n, NAT))
    return Billing(spans=out.arrays(), paying=paying, seats_max=seats_max)
