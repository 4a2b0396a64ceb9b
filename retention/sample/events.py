"""Product usage: who logged in and did what, user by user, day by day.

Each customer has users scaled by its seats.  The first user is the admin who signed up; the
others join soon after or later in the customer's life (replacing people who left).  Many users try the product for a week and never come
back (day-7 retention lands in the 10–30 % a real product shows); the rest come back on a
share of working days that depends on the customer's health, and use it less and less in the
eight weeks before their company churns.  That is the at-risk signal customer success looks for.

The log covers the last `months` months of the data (the product analytics were switched on
then), and the number of tracked users per seat is chosen so the log has `target_rows` rows:
about 50 thousand for the sample the app opens with, 10 million for the benchmark.  When even
one user per customer would give more rows than that, the log starts later instead.  The work
is done in blocks of users x days, so memory stays bounded whatever the size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from retention.sample import catalog
from retention.sample.timeline import Timeline

DEFAULT_EVENT_MONTHS = 6
WEEKEND_FACTOR = 0.12  # B2B users rarely work weekends
DECLINE_DAYS = 56  # usage fades over the last eight weeks before a customer churns
DECLINE_FLOOR = 0.05
CELL_BUDGET = 4_000_000  # users x days per block
PILOT_CUSTOMERS = 4_000
OVERSHOOT = 1.05  # draw 5 % more rows than asked, then trim to the exact count
MAX_DRAWS = 4
DAY_SECONDS = 86_400


@dataclass(frozen=True)
class UsageInputs:
    """What the usage model needs from the billing simulation."""

    timeline: Timeline
    customer_ids: np.ndarray
    signup: np.ndarray  # datetime64[D]
    last_seen: np.ndarray  # datetime64[D]: last day any subscription of the customer runs (or the data's last day)
    seats: np.ndarray  # most seats each customer ever had
    utc_offset: np.ndarray  # hours
    health: np.ndarray  # (customers, months)
    span_customer: np.ndarray  # sorted
    span_start: np.ndarray  # datetime64[D]
    span_end: np.ndarray  # datetime64[D], NaT = running


@dataclass(frozen=True)
class Users:
    customer: np.ndarray
    join: np.ndarray  # day number (days since 1970-01-01)
    leave: np.ndarray  # first day without activity
    rate: np.ndarray  # chance of being active on a working day
    extra: np.ndarray  # mean number of events beyond the login on an active day
    hour: np.ndarray  # usual local hour of the first event

    def take(self, idx: np.ndarray) -> Users:
        return Users(*(getattr(self, f)[idx] for f in ("customer", "join", "leave", "rate", "extra", "hour")))


def _days(dates: np.ndarray) -> np.ndarray:
    return dates.astype("datetime64[D]").astype(np.int64)


def draw_users(rng: np.random.Generator, inputs: UsageInputs, customers: np.ndarray, per_customer: np.ndarray) -> Users:
    """`per_customer[i]` users for each customer in `customers` (sorted), slot 0 being the admin."""
    customer = np.repeat(customers, per_customer)
    k = len(customer)
    slot = np.arange(k) - np.repeat(np.cumsum(per_customer) - per_customer, per_customer)
    admin = slot == 0
    signup = _days(inputs.signup)[customer]
    life = _days(inputs.last_seen)[customer] - signup + 1
    # The team arrives in two waves: a third right after the signup, the rest (and replacements
    # for people who leave) spread over the customer's whole life.
    early = np.floor(rng.exponential(45.0, k))
    later = np.floor(rng.random(k) * life)
    join = signup + np.where(admin, 0, np.where(rng.random(k) < 0.35, early, later)).astype(np.int64)
    drops = rng.random(k) < np.where(admin, 0.15, 0.55)
    stays = 7 + np.floor(rng.exponential(450.0, k)).astype(np.int64)
    leave = join + np.where(drops, 7, stays)
    rate = np.where(drops, 0.35, rng.beta(2.0, 3.0, k)).astype(np.float32)
    extra = rng.gamma(2.0, 0.6, k).astype(np.float32)
    hour = rng.uniform(8.0, 12.5, k).astype(np.float32)
    return Users(customer, join, leave, rate, extra, hour)


class _Window:
    """The tracked days and the per-customer day factors (coverage, health, the pre-churn fade)."""

    def __init__(self, inputs: UsageInputs, months: int) -> None:
        tl = inputs.timeline
        months = max(1, min(months, tl.months))
        self.inputs = inputs
        self.first = int(_days(tl.starts[tl.months - months]))
        self.days = int(_days(tl.last_day)) - self.first + 1
        day_numbers = self.first + np.arange(self.days)
        self.month = tl.month_of(day_numbers.astype("datetime64[D]"))
        weekday = (day_numbers + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
        self.weekday_factor = np.where(weekday < 5, 1.0, WEEKEND_FACTOR).astype(np.float32)
        start = _days(inputs.span_start)
        end = inputs.span_end
        self.span_a = np.clip(start - self.first, 0, self.days)
        self.span_b = np.where(np.isnat(end), self.days, np.clip(_days(end) - self.first, 0, self.days))

    def customer_factors(self, customers: np.ndarray) -> np.ndarray:
        """(customers, days) activity factor: 0 when no subscription runs, else health x fade."""
        inputs, d = self.inputs, self.days
        lo = np.searchsorted(inputs.span_customer, customers, side="left")
        hi = np.searchsorted(inputs.span_customer, customers, side="right")
        counts = hi - lo
        idx = np.repeat(lo - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        local = np.repeat(np.arange(len(customers)), counts)
        a, b = self.span_a[idx], self.span_b[idx]
        live = a < b
        width = d + 1
        size = len(customers) * width
        diff = np.bincount(local[live] * width + a[live], minlength=size)
        diff -= np.bincount(local[live] * width + b[live], minlength=size)
        cover = np.cumsum(diff.reshape(len(customers), width), axis=1)[:, :d] > 0

        ends = np.zeros_like(cover)
        ends[:, 1:] = cover[:, :-1] & ~cover[:, 1:]
        t = np.arange(d)
        next_end = np.where(ends, t, np.iinfo(np.int64).max)
        next_end = np.minimum.accumulate(next_end[:, ::-1], axis=1)[:, ::-1]
        to_end = (next_end - t).astype(np.float64)
        fade = np.where(next_end < np.iinfo(np.int64).max,
                        DECLINE_FLOOR + (1 - DECLINE_FLOOR) * np.clip(to_end / DECLINE_DAYS, 0.0, 1.0), 1.0)
        engagement = np.exp(0.3 * inputs.health[customers][:, self.month])
        return (cover * engagement * fade).astype(np.float32)

    def probabilities(self, users: Users, customers: np.ndarray, factors: np.ndarray) -> np.ndarray:
        """(users, days) chance of at least one event: the join day is certain, later days by habit."""
        local = np.searchsorted(customers, users.customer)
        t = self.first + np.arange(self.days)
        p = factors[local] * users.rate[:, None] * self.weekday_factor[None, :]
        in_window = (t[None, :] >= users.join[:, None]) & (t[None, :] < users.leave[:, None])
        p = np.where(in_window, p, 0.0)
        join_day = (t[None, :] == users.join[:, None]) & (factors[local] > 0)
        return np.minimum(np.where(join_day, 1.0, p), 1.0).astype(np.float32)

    def blocks(self, users: Users):
        """Yield (user index range, customers, factors) in blocks of about CELL_BUDGET cells."""
        per_block = max(1, CELL_BUDGET // self.days)
        k = len(users.customer)
        start = 0
        while start < k:
            stop = min(k, start + per_block)
            # never split one customer's users across blocks (the factors are per customer)
            stop = int(np.searchsorted(users.customer, users.customer[stop - 1], side="right"))
            customers = np.unique(users.customer[start:stop])
            yield slice(start, stop), customers, self.customer_factors(customers)
            start = stop


def _users_per_customer(seats: np.ndarray, share: float) -> np.ndarray:
    return np.clip(np.rint(share * seats), 1, seats).astype(np.int64)


def _plan_log(rng: np.random.Generator, inputs: UsageInputs, months: int, target_rows: int) -> tuple[int, float]:
    """(months tracked, share of seats that are tracked users) for about `target_rows` rows.

    Expected rows per user are measured on a pilot of customers (all of them for small data
    sets) with every seat a user, month by month.  Every customer keeps at least one user, so when even
    that gives too many rows the log starts later instead; then a bisection picks the share.
    """
    window = _Window(inputs, months)
    n = len(inputs.seats)
    pilot = np.arange(n) if n <= PILOT_CUSTOMERS else np.sort(rng.choice(n, PILOT_CUSTOMERS, replace=False))
    seats = inputs.seats[pilot]
    users = draw_users(rng, inputs, pilot, seats)
    month_edges = np.flatnonzero(np.diff(np.concatenate([[-1], window.month])))
    expected = np.zeros((len(users.customer), len(month_edges)))
    for rows, customers, factors in window.blocks(users):
        block = users.take(np.arange(rows.start, rows.stop))
        p = window.probabilities(block, customers, factors)
        expected[rows] = np.add.reduceat(p, month_edges, axis=1) * (1.0 + block.extra[:, None])
    slot = np.arange(len(users.customer)) - np.repeat(np.cumsum(seats) - seats, seats)

    def rows_for(share: float, tracked: int) -> float:
        wanted = _users_per_customer(seats, share)
        chosen = slot < np.repeat(wanted, seats)
        # ratio estimator: rows per tracked user in the pilot times all tracked users
        scale = _users_per_customer(inputs.seats, share).sum() / wanted.sum()
        return float(expected[chosen][:, len(month_edges) - tracked:].sum() * scale)

    tracked = len(month_edges)
    while tracked > 1 and rows_for(0.0, tracked) > target_rows:
        tracked -= 1
    low, high = 0.0, 1.0
    if rows_for(high, tracked) <= target_rows:
        return tracked, high
    for _ in range(40):
        mid = (low + high) / 2
        low, high = (mid, high) if rows_for(mid, tracked) < target_rows else (low, mid)
    return tracked, (low + high) / 2


@dataclass(frozen=True)
class _Log:
    users: Users
    stamp: np.ndarray  # seconds since 1970-01-01 UTC
    user: np.ndarray  # index into users
    kind: np.ndarray  # 0 = login, else 1 + index into catalog.EVENTS
    rank: np.ndarray  # position of the event within its user's day (0 = the login)


def _draw_log(rng: np.random.Generator, inputs: UsageInputs, tracked: int, share: float) -> _Log:
    """Draw users, their active days, and the events of each active day."""
    window = _Window(inputs, tracked)
    n = len(inputs.seats)
    users = draw_users(rng, inputs, np.arange(n), _users_per_customer(inputs.seats, share))
    parts_user, parts_day = [], []
    for rows, customers, factors in window.blocks(users):
        block = users.take(np.arange(rows.start, rows.stop))
        p = window.probabilities(block, customers, factors)
        u, d = np.nonzero(rng.random(p.shape, dtype=np.float32) < p)
        parts_user.append(u + rows.start)
        parts_day.append(d)
    user = np.concatenate(parts_user)
    day = np.concatenate(parts_day)

    # Each active day: a login, then a few more events minutes apart.
    count = 1 + rng.poisson(users.extra[user])
    cell = np.repeat(np.arange(len(user)), count)
    first_of_cell = np.cumsum(count) - count
    rank = np.arange(len(cell)) - np.repeat(first_of_cell, count)
    user_of, day_of = user[cell], day[cell]
    start = users.hour[user] * 3600.0 + rng.gamma(2.0, 3600.0, len(user)) - 3600.0  # mostly mornings, some evenings
    gaps = np.where(rank == 0, np.repeat(start, count), rng.exponential(420.0, len(cell)))
    total = np.cumsum(gaps)
    local_seconds = total - np.repeat(total[first_of_cell] - gaps[first_of_cell], count)
    offset = inputs.utc_offset[users.customer[user_of]] * 3600
    stamp = (window.first + day_of) * DAY_SECONDS + np.floor(local_seconds).astype(np.int64) - offset
    cum = np.cumsum(catalog.EVENT_SHARE) / catalog.EVENT_SHARE.sum()
    other = np.minimum(np.searchsorted(cum, rng.random(len(cell)), side="right"), len(cum) - 1)
    kind = np.where(rank == 0, 0, 1 + other)
    keep = stamp < (window.first + window.days) * DAY_SECONDS  # evening in America is tomorrow in UTC
    return _Log(users, stamp[keep], user_of[keep], kind[keep], rank[keep])


def usage_events(
    inputs: UsageInputs, target_rows: int, months: int = DEFAULT_EVENT_MONTHS, seed: int | np.random.SeedSequence = 0,
) -> pd.DataFrame:
    """The event log: `timestamp` (UTC), `user_id`, `customer_id`, `event`, sorted by time.

    The log has exactly `target_rows` rows whenever the company is big enough to produce them:
    it is drawn a little larger (again, larger still, when chance made it too short) and the
    surplus is removed among the non-login events, so every active day still starts with a login.
    """
    rng = np.random.default_rng(seed)
    if target_rows <= 0:
        return pd.DataFrame({
            "timestamp": pd.Series(dtype="datetime64[ns, UTC]"), "user_id": pd.Series(dtype=object),
            "customer_id": pd.Series(dtype=object), "event": pd.Series(dtype=object),
        })
    aim = target_rows * OVERSHOOT
    for _ in range(MAX_DRAWS):
        tracked, share = _plan_log(rng, inputs, months, int(aim))
        log = _draw_log(rng, inputs, tracked, share)
        if len(log.stamp) >= target_rows or share >= 1.0:
            break
        aim *= OVERSHOOT * target_rows / max(len(log.stamp), 1)

    keep = np.ones(len(log.stamp), dtype=bool)
    surplus = len(log.stamp) - target_rows
    if surplus > 0:
        extras = np.flatnonzero(log.rank > 0)
        if len(extras) < surplus:
            extras = np.arange(len(log.stamp))
        keep[rng.choice(extras, surplus, replace=False)] = False
    stamp, user, kind = log.stamp[keep], log.user[keep], log.kind[keep]
    order = np.lexsort((user, stamp))
    stamp, user, kind = stamp[order], user[order], kind[order]

    users = log.users
    width = max(6, len(str(len(users.customer))))
    user_ids = np.char.add("U", np.char.zfill(np.arange(1, len(users.customer) + 1).astype(str), width)).astype(object)
    names = np.asarray(("login", *catalog.EVENTS), dtype=object)
    return pd.DataFrame({
        "timestamp": pd.to_datetime(stamp, unit="s", utc=True),
        "user_id": user_ids[user],
        "customer_id": inputs.customer_ids.astype(object)[users.customer[user]],
        "event": names[kind],
    })
