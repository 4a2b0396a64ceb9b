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


@dataclass
class _State:
    """Every customer's billing state between two months (one array per field, one cell per customer)."""

    cust: Customers
    timeline: Timeline
    out: _Records
    tier: np.ndarray
    seats: np.ndarray
    annual: np.ndarray
    amount: np.ndarray
    trial_end: np.ndarray
    paid_from: np.ndarray
    bill_day: np.ndarray
    tenure_start: np.ndarray
    anchor: np.ndarray  # month of the last yearly renewal (or of the switch to yearly)
    active: np.ndarray
    span_start: np.ndarray
    span_trial: np.ndarray
    addon: np.ndarray
    addon_start: np.ndarray
    addon_seats: np.ndarray
    return_month: np.ndarray
    seats_max: np.ndarray

    @property
    def everyone(self) -> np.ndarray:
        return np.arange(len(self.tier))

    def close_main(self, mask: np.ndarray, end: np.ndarray) -> None:
        """Write the running main subscription of the customers in `mask` as a span ending on `end`."""
        self.out.add(mask, customer=self.everyone, tier=self.tier, seats=self.seats, annual=self.annual, amount=self.amount,
                     start=self.span_start, end=end, trial_end=self.span_trial)

    def close_addon(self, mask: np.ndarray, end: np.ndarray) -> None:
        n = len(self.tier)
        self.out.add(mask, customer=self.everyone, tier=np.full(n, ADDON_TIER), seats=self.addon_seats, annual=np.zeros(n, bool),
                     amount=np.full(n, catalog.ADDON_PRICE_MONTH), start=self.addon_start, end=end, trial_end=np.full(n, NAT))


def _initial_state(cust: Customers, timeline: Timeline) -> _State:
    """Signed-up plans and billing days; trials that never convert are written as one unpaid span."""
    n = len(cust)
    trial_end = np.where(cust.trial, cust.signup + np.timedelta64(catalog.TRIAL_DAYS, "D"), NAT)
    paid_from = np.where(cust.trial, trial_end, cust.signup)
    tier, seats, annual = cust.tier.copy(), cust.seats.copy(), cust.annual.copy()
    amount = list_amount(tier, annual, cust.discount)
    out = _Records()
    out.add(cust.trial_fails, customer=np.arange(n), tier=tier, seats=seats, annual=annual, amount=amount, start=cust.signup,
            end=np.where(trial_end <= timeline.last_day, trial_end, NAT), trial_end=trial_end)
    tenure_start = timeline.month_of(paid_from)
    return _State(
        cust=cust, timeline=timeline, out=out, tier=tier, seats=seats, annual=annual, amount=amount, trial_end=trial_end,
        paid_from=paid_from,
        bill_day=(paid_from - paid_from.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1,
        tenure_start=tenure_start, anchor=tenure_start.copy(), active=np.zeros(n, dtype=bool), span_start=np.full(n, NAT),
        span_trial=np.full(n, NAT), addon=np.zeros(n, dtype=bool), addon_start=np.full(n, NAT),
        addon_seats=np.zeros(n, dtype=np.int64), return_month=np.full(n, -1), seats_max=seats.copy(),
    )


def _join(state: _State, m: int, signup_month: np.ndarray) -> None:
    """Customers whose signup falls in month m start their first span."""
    joining = (signup_month == m) & ~state.cust.trial_fails
    state.active[joining] = True
    state.span_start[joining] = state.cust.signup[joining]
    state.span_trial[joining] = state.trial_end[joining]


def _churn(state: _State, rng: np.random.Generator, m: int, u: np.ndarray, h: np.ndarray, due: np.ndarray,
           renewal: np.ndarray, date: np.ndarray, shock: float) -> np.ndarray:
    """Monthly customers can leave any billing day, yearly ones only at renewal; some plan to come back."""
    tenure = np.clip(m - state.tenure_start, 0, len(TENURE_RISK) - 1)
    hazard = np.minimum(catalog.CHURN_BASE[state.tier] * TENURE_RISK[tenure] * np.exp(-0.9 * h) * shock, 0.6)
    yearly = (1.0 - (1.0 - hazard) ** 12) * catalog.ANNUAL_RENEWAL_DAMPING
    churn = due & (u[0] < np.where(state.annual, np.where(renewal, yearly, 0.0), hazard))
    state.close_main(churn, date)
    state.close_addon(churn & state.addon, date)
    state.active &= ~churn
    state.addon &= ~churn
    winback = churn & (u[1] < catalog.WINBACK_SHARE[state.tier])
    gap = 1 + rng.geometric(0.2, len(state.tier))  # at least two months away, about six on average
    state.return_month = np.where(winback, m + gap, state.return_month)
    return churn


def _plan_changes(state: _State, m: int, u: np.ndarray, h: np.ndarray, stay: np.ndarray, renewal: np.ndarray,
                  date: np.ndarray, shock: float) -> None:
    """Upgrades, more seats, downgrades, fewer seats, a switch to yearly; yearly customers cut back only at renewal."""
    s = state
    can_cut = ~s.annual | renewal
    up = stay & (s.tier < 3) & (u[2] < 0.012 * np.exp(0.5 * h))
    more = stay & ~up & (u[3] < 0.035 * np.exp(0.45 * h))
    down = stay & ~up & ~more & can_cut & (s.tier > 0) & (u[4] < 0.012 * shock * np.exp(-0.6 * h))
    fewer = stay & ~up & ~more & ~down & can_cut & (s.seats > 1) & (u[5] < 0.035 * shock * np.exp(-0.5 * h))
    to_year = stay & ~(up | more | down | fewer) & ~s.annual & (s.tier >= 1) & (u[6] < 0.008)
    changed = up | more | down | fewer | to_year
    s.close_main(changed, date)
    step = np.maximum(1, np.rint(s.seats * (0.05 + 0.25 * u[7]))).astype(np.int64)
    s.tier = s.tier + up - down
    s.seats = np.where(more, s.seats + step, s.seats)
    s.seats = np.where(fewer, np.maximum(1, s.seats - np.maximum(1, np.rint(s.seats * 0.4 * u[7]).astype(np.int64))), s.seats)
    s.seats = np.where(up | down, np.clip(s.seats, catalog.SEATS_MIN[s.tier], catalog.SEATS_MAX[s.tier]), s.seats)
    s.annual = s.annual | to_year
    s.anchor = np.where(to_year, m, s.anchor)
    s.amount = np.where(changed, list_amount(s.tier, s.annual, s.cust.discount), s.amount)
    s.span_start = np.where(changed, date, s.span_start)
    s.span_trial = np.where(changed, NAT, s.span_trial)
    s.seats_max = np.maximum(s.seats_max, s.seats)


def _addons(state: _State, u: np.ndarray, h: np.ndarray, stay: np.ndarray, date: np.ndarray) -> None:
    """The add-on is a second subscription; dropping it while staying is contraction, not churn."""
    s = state
    drop_addon = stay & s.addon & (u[8] < 0.035 * np.exp(-0.4 * h))
    buy_addon = stay & ~s.addon & (s.tier >= 1) & (u[9] < 0.012 * np.exp(0.3 * h))
    s.close_addon(drop_addon, date)
    s.addon = (s.addon & ~drop_addon) | buy_addon
    s.addon_start = np.where(buy_addon, date, s.addon_start)
    s.addon_seats = np.where(buy_addon, np.maximum(1, np.rint(s.seats * (0.3 + 0.7 * u[1]))).astype(np.int64), s.addon_seats)


def _winbacks(state: _State, rng: np.random.Generator, m: int) -> None:
    """Customers due back start a new monthly subscription, often on a smaller plan, with a new billing day."""
    s = state
    back = ~s.active & (s.return_month == m)
    if not back.any():
        return
    v = rng.random((3, len(s.tier)))
    day = 1 + np.floor(v[0] * s.timeline.days_in_month[m]).astype(np.int64)
    s.tier = np.where(back & (v[1] < 0.3), np.maximum(s.tier - 1, 0), s.tier)
    s.seats = np.where(back, np.maximum(catalog.SEATS_MIN[s.tier], np.rint(s.seats * (0.5 + 0.5 * v[2]))), s.seats).astype(np.int64)
    s.annual = s.annual & ~back
    s.amount = np.where(back, list_amount(s.tier, s.annual, s.cust.discount), s.amount)
    s.bill_day = np.where(back, day, s.bill_day)
    start = s.timeline.on_day(m, day)
    s.span_start = np.where(back, start, s.span_start)
    s.span_trial = np.where(back, NAT, s.span_trial)
    s.paid_from = np.where(back, start, s.paid_from)
    s.tenure_start = np.where(back, m, s.tenure_start)
    s.anchor = np.where(back, m, s.anchor)
    s.active |= back
    s.return_month = np.where(back, -1, s.return_month)


def simulate(rng: np.random.Generator, cust: Customers, timeline: Timeline, health: np.ndarray) -> Billing:
    """Every customer's spans, month by month: join, churn, change plan, add-ons, win-backs.

    `health` (customers × months) drives every choice (healthier customers churn less and grow
    more).  The random draws are taken in a fixed order each month, so a seed always gives the
    same company.
    """
    n, months = len(cust), timeline.months
    state = _initial_state(cust, timeline)
    signup_month = timeline.month_of(cust.signup)
    month_end = timeline.starts[1:] - np.timedelta64(1, "D")
    paying = np.zeros((n, months), dtype=bool)
    bad_month = months - BAD_MONTH_BACK if months > BAD_MONTH_BACK + 3 else -1
    for m in range(months):
        _join(state, m, signup_month)
        h = health[:, m].astype(np.float64)
        u = rng.random((10, n))
        due = state.active & (m > state.tenure_start)  # a billing day after the first paid month
        date = timeline.on_day(m, state.bill_day)
        renewal = state.annual & ((m - state.anchor) % 12 == 0)
        shock = BAD_MONTH_RISK if m == bad_month else 1.0
        churn = _churn(state, rng, m, u, h, due, renewal, date, shock)
        stay = due & ~churn
        _plan_changes(state, m, u, h, stay, renewal, date, shock)
        _addons(state, u, h, stay, date)
        _winbacks(state, rng, m)
        paying[:, m] = state.active & (state.paid_from <= month_end[m])
    state.close_main(state.active, np.full(n, NAT))
    state.close_addon(state.addon, np.full(n, NAT))
    return Billing(spans=state.out.arrays(), paying=paying, seats_max=state.seats_max)
