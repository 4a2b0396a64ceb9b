"""Product engagement from usage events (METRICS.md §8).

Everything here is read off one small structure, `Activity`: the distinct (actor, day) pairs of
the events, sorted by actor then day, with each actor's first day.  Building it is the only pass
over the raw events (tens of millions of rows: a hash of int64 keys and one sort of the distinct
pairs); cohorts, day-N and week-N retention, drop-off, active users and stickiness are then
bincounts over pairs, so a page that shows all of them pays for the events once.

Conventions (METRICS.md §8):

- An actor is a user, or the customer when the event has no user.
- Days are calendar days in UTC, or in the time zone the user picks; events whose timestamps
  are bare dates stay on their date whatever the zone.  Weeks start on Monday.
- The as-of date defaults to the latest event's day; events after it are ignored, so the
  numbers are those a user would have seen on that day.
- Rates are percentages and `None` (null) when no actor is eligible, never 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from retention.importing.events import DATE_ONLY_ATTR

Interval = Literal["day", "week", "month"]
INTERVALS: tuple[Interval, ...] = ("day", "week", "month")
NS_PER_DAY = 86_400 * 1_000_000_000
_EPOCH_WEEKDAY_SHIFT = 3
"""1970-01-01 (day 0) was a Thursday: (day + 3) // 7 numbers Monday-to-Sunday weeks."""
WAU_DAYS = 7
MAU_DAYS = 30
DAY_7 = 7
DROP_OFF_DAYS = (7, 13)
WEEK_8 = 8

DateLike = pd.Timestamp | date | str | None


@dataclass(frozen=True)
class Activity:
    """Distinct (actor, day) pairs, sorted by actor then day; actors numbered 0..n-1.

    `day` counts calendar days since 1970-01-01 in the chosen time zone; `first[a]` is actor
    a's first day; `as_of` is the last day counted.
    """

    actor: np.ndarray
    day: np.ndarray
    first: np.ndarray
    as_of: int
    tz: str | None = None

    @property
    def actors(self) -> int:
        return len(self.first)

    @property
    def start_day(self) -> int:
        """The first day with any event (the as-of day when there are none)."""
        return int(self.first.min()) if len(self.first) else self.as_of

    def rel(self) -> np.ndarray:
        """Days since the actor's first day, for every pair."""
        return self.day - self.first[self.actor]


def check_interval(interval: str) -> Interval:
    if interval not in INTERVALS:
        raise ValueError(f"unknown interval {interval!r}: use day, week or month")
    return interval  # type: ignore[return-value]


def check_time_zone(tz: str | None) -> str | None:
    """The zone name, or ValueError naming the problem (the CLI and the app show it as is)."""
    if tz in (None, "", "UTC"):
        return None
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {tz!r}: use a name like Europe/Amsterdam or America/New_York") from exc
    return tz


def day_number(value: DateLike) -> int:
    """Days since 1970-01-01 of a date (a timestamp's own calendar date, whatever its zone)."""
    stamp = pd.Timestamp(value)
    return int(np.datetime64(stamp.date(), "D").astype(np.int64))


def day_to_date(day: int | np.ndarray) -> np.ndarray:
    return np.asarray(day, dtype=np.int64).astype("datetime64[D]")


def event_days(events: pd.DataFrame, tz: str | None = None) -> np.ndarray:
    """Each event's calendar day number in UTC or in `tz` (bare dates are never shifted)."""
    stamps = events["timestamp"]
    if not isinstance(stamps.dtype, pd.DatetimeTZDtype):
        stamps = pd.to_datetime(stamps, utc=True)
    tz = check_time_zone(tz)
    if tz is not None and not events.attrs.get(DATE_ONLY_ATTR, False):
        stamps = stamps.dt.tz_convert(tz)
    local = stamps.dt.tz_localize(None)
    return local.to_numpy(dtype="datetime64[ns]").view(np.int64) // NS_PER_DAY


def _codes(column: pd.Series) -> tuple[np.ndarray, int]:
    """Int codes (-1 for missing) and the number of distinct values of an id column."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy().astype(np.int64), len(column.cat.categories)  # astype copies: safe to write
    codes, uniques = pd.factorize(column.where(column.astype(str).ne("")))
    return codes.astype(np.int64, copy=True), len(uniques)


def actor_codes(events: pd.DataFrame) -> np.ndarray:
    """One int per event: its user, else its customer (in a separate number range), -1 when neither."""
    n = len(events)
    users, n_users = _codes(events["user_id"]) if "user_id" in events else (np.full(n, -1, np.int64), 0)
    missing = users < 0
    if not missing.any() or "customer_id" not in events:
        return users
    customers, _ = _codes(events["customer_id"])
    fallback = customers[missing]
    users[missing] = np.where(fallback >= 0, fallback + n_users, -1)
    return users


_BITMAP_BYTES_PER_EVENT = 8
_BITMAP_MIN_BYTES = 1 << 24


def distinct_sorted(keys: np.ndarray, size: int) -> np.ndarray:
    """The distinct values of non-negative int keys below `size`, ascending.

    A bitmap (one byte per possible key, then one scan) when the key range is small next to the
    number of events, which is the usual case of actors × days; a sort otherwise.  Both avoid
    hashing, which is several times slower on tens of millions of keys.
    """
    if size <= max(_BITMAP_BYTES_PER_EVENT * len(keys), _BITMAP_MIN_BYTES):
        seen = np.zeros(size, dtype=bool)
        seen[keys] = True
        return np.flatnonzero(seen)
    ordered = np.sort(keys)
    if len(ordered) == 0:
        return ordered
    fresh = np.empty(len(ordered), dtype=bool)
    fresh[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=fresh[1:])
    return ordered[fresh]


def build_activity(events: pd.DataFrame, as_of: DateLike = None, tz: str | None = None) -> Activity:
    """The distinct (actor, day) pairs of the events on or before `as_of` (default: the latest event's day)."""
    tz = check_time_zone(tz)
    days = event_days(events, tz)
    actors = actor_codes(events)
    valid = actors >= 0
    if as_of is not None:
        last = day_number(as_of)
        valid &= days <= last
    if not valid.all():
        days, actors = days[valid], actors[valid]
    if len(days) == 0:
        empty = np.zeros(0, dtype=np.int64)
        last = day_number(as_of) if as_of is not None else day_number(pd.Timestamp.now(tz="UTC"))
        return Activity(empty, empty, empty, last, tz)
    lo = int(days.min())
    if as_of is None:
        last = int(days.max())
    span = last - lo + 1
    keys = distinct_sorted(actors * span + (days - lo), (int(actors.max()) + 1) * span)
    actor, day = np.divmod(keys, span)
    day += lo
    starts = np.empty(len(actor), dtype=bool)
    starts[0] = True
    np.not_equal(actor[1:], actor[:-1], out=starts[1:])
    dense = np.cumsum(starts) - 1
    return Activity(dense, day, day[starts], last, tz)


def _activity(events: pd.DataFrame | Activity, as_of: DateLike, tz: str | None) -> Activity:
    if isinstance(events, Activity):
        if as_of is not None or tz is not None:
            raise ValueError("as_of and tz are fixed when the Activity is built; pass the events instead")
        return events
    return build_activity(events, as_of, tz)


def period_number(day: np.ndarray | int, interval: Interval) -> np.ndarray:
    """Day numbers to day, Monday-week or calendar-month numbers."""
    day = np.asarray(day, dtype=np.int64)
    if interval == "day":
        return day
    if interval == "week":
        return (day + _EPOCH_WEEKDAY_SHIFT) // 7
    return day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def period_start(number: np.ndarray | int, interval: Interval) -> np.ndarray:
    """First day number of each period."""
    number = np.asarray(number, dtype=np.int64)
    if interval == "day":
        return number
    if interval == "week":
        return number * 7 - _EPOCH_WEEKDAY_SHIFT
    return number.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def period_end(number: np.ndarray | int, interval: Interval) -> np.ndarray:
    """Last day number of each period."""
    return period_start(np.asarray(number, dtype=np.int64) + 1, interval) - 1


def period_labels(numbers: np.ndarray, interval: Interval) -> list[str]:
    """`2025-01-15` for a day, the Monday's date for a week, `2025-01` for a month."""
    numbers = np.asarray(numbers, dtype=np.int64)
    if interval == "month":
        return [str(v) for v in numbers.astype("datetime64[M]").astype(str)]
    return [str(v) for v in period_start(numbers, interval).astype("datetime64[D]").astype(str)]


def _active_periods(act: Activity, interval: Interval) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (actor, period) pairs.  Pairs are sorted by actor then day, so periods are too."""
    period = period_number(act.day, interval)
    if len(period) == 0:
        return act.actor, period
    fresh = np.empty(len(period), dtype=bool)
    fresh[0] = True
    fresh[1:] = (act.actor[1:] != act.actor[:-1]) | (period[1:] != period[:-1])
    return act.actor[fresh], period[fresh]


def cohort_matrix(
    events: pd.DataFrame | Activity, interval: Interval = "day", as_of: DateLike = None, tz: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(cohort period numbers, counts[cohort, age]) for every period from the first to the as-of's.

    Cells after the as-of period are -1 (they do not exist; the triangle is ragged).
    """
    interval = check_interval(interval)
    act = _activity(events, as_of, tz)
    last = int(period_number(act.as_of, interval))
    if act.actors == 0:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.int64)
    actor, period = _active_periods(act, interval)
    cohort_of_actor = period_number(act.first, interval)
    first = int(cohort_of_actor.min())
    width = last - first + 1
    row = cohort_of_actor[actor] - first
    age = period - cohort_of_actor[actor]
    counts = np.bincount(row * width + age, minlength=width * width).reshape(width, width)
    ages = np.arange(width)
    exists = ages[None, :] <= (width - 1 - ages)[:, None]
    return np.arange(first, last + 1), np.where(exists, counts, -1)


def engagement_cohorts(
    events: pd.DataFrame | Activity, interval: Interval = "day", as_of: DateLike = None, tz: str | None = None
) -> list[dict]:
    """Engagement cohorts of METRICS.md §8, oldest first.

    Each cohort is `{"cohort": label, "size": n, "values": [actors active at age 0, 1, …],
    "percent": [value / size × 100, …]}`; `values` stops at the as-of period (ragged).
    Periods in which no actor was first seen have no cohort.
    """
    numbers, counts = cohort_matrix(events, interval, as_of, tz)
    sizes = counts[:, 0] if len(numbers) else np.zeros(0, dtype=np.int64)
    labels = period_labels(numbers, check_interval(interval))
    out = []
    for i in np.flatnonzero(sizes > 0):
        values = counts[i, : len(numbers) - i]
        out.append(
            {
                "cohort": str(labels[i]),
                "size": int(sizes[i]),
                "values": [int(v) for v in values],
                "percent": [float(v) * 100.0 / float(sizes[i]) for v in values],
            }
        )
    return out


def cohorts_frame(cohorts: list[dict], percent: bool = True) -> pd.DataFrame:
    """Cohorts as a wide table (one row per cohort, one column per age) for heatmaps and exports."""
    key = "percent" if percent else "values"
    width = max((len(c[key]) for c in cohorts), default=0)
    data = [c[key] + [np.nan] * (width - len(c[key])) for c in cohorts]
    frame = pd.DataFrame(data, columns=list(range(width)), index=pd.Index([c["cohort"] for c in cohorts], name="cohort"), dtype=float)
    frame.insert(0, "size", [c["size"] for c in cohorts])
    return frame


def _share(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else numerator * 100.0 / denominator


def day_n_curve(
    events: pd.DataFrame | Activity, days: int = 30, as_of: DateLike = None, tz: str | None = None
) -> pd.DataFrame:
    """Day-N retention for N = 0…days: among actors whose day N is on or before the as-of date,
    the share with an event on exactly day N (`retention` is NaN when nobody is eligible yet).
    """
    act = _activity(events, as_of, tz)
    n = np.arange(days + 1)
    room = np.clip(act.as_of - act.first, 0, days)
    eligible = np.cumsum(np.bincount(room, minlength=days + 1)[::-1])[::-1] if act.actors else np.zeros(days + 1, np.int64)
    rel = act.rel()
    retained = np.bincount(rel[rel <= days], minlength=days + 1)
    retention = np.full(days + 1, np.nan)
    np.divide(retained * 100.0, eligible, out=retention, where=eligible > 0)
    return pd.DataFrame({"day": n, "eligible": eligible, "retained": retained, "retention": retention})


def day_7_retention(events: pd.DataFrame | Activity, as_of: DateLike = None, tz: str | None = None) -> float | None:
    """Among actors whose first day + 7 is on or before the as-of date, % with an event on exactly that day."""
    curve = day_n_curve(events, DAY_7, as_of, tz)
    return _share(int(curve["retained"].iloc[DAY_7]), int(curve["eligible"].iloc[DAY_7]))


def drop_off_7d(events: pd.DataFrame | Activity, as_of: DateLike = None, tz: str | None = None) -> float | None:
    """Among actors whose day 13 is on or before the as-of date, % with no event on days 7 to 13."""
    act = _activity(events, as_of, tz)
    lo, hi = DROP_OFF_DAYS
    eligible = (act.first + hi) <= act.as_of
    rel = act.rel()
    in_window = (rel >= lo) & (rel <= hi)
    active = np.bincount(act.actor[in_window], minlength=act.actors) > 0
    return _share(int((eligible & ~active).sum()), int(eligible.sum()))


def week_n_curve(
    events: pd.DataFrame | Activity, weeks: int = 12, as_of: DateLike = None, tz: str | None = None
) -> pd.DataFrame:
    """Week-N retention for N = 0…weeks, weekly cohorts pooled: among actors of the cohorts whose
    week N ends on or before the as-of date, the share active in their cohort's week N.
    """
    act = _activity(events, as_of, tz)
    actor, week = _active_periods(act, "week")
    cohort = period_number(act.first, "week")
    age = week - cohort[actor]
    # A cohort's week N is complete when its last day (Sunday) is on or before the as-of date.
    complete_weeks = period_number(act.as_of + 1, "week") - 1 - cohort  # last whole week's age, per actor
    room = np.clip(complete_weeks, -1, weeks)
    eligible = np.zeros(weeks + 1, dtype=np.int64)
    if act.actors:
        counts = np.bincount(room[room >= 0], minlength=weeks + 1)
        eligible = np.cumsum(counts[::-1])[::-1]
    ok = (age <= weeks) & (age <= complete_weeks[actor])
    retained = np.bincount(age[ok], minlength=weeks + 1)
    retention = np.full(weeks + 1, np.nan)
    np.divide(retained * 100.0, eligible, out=retention, where=eligible > 0)
    return pd.DataFrame({"week": np.arange(weeks + 1), "eligible": eligible, "retained": retained, "retention": retention})


def week_8_retention(events: pd.DataFrame | Activity, as_of: DateLike = None, tz: str | None = None) -> float | None:
    """Weekly cohorts whose week 8 ends on or before the as-of date, pooled: % of their actors active in week 8."""
    curve = week_n_curve(events, WEEK_8, as_of, tz)
    return _share(int(curve["retained"].iloc[WEEK_8]), int(curve["eligible"].iloc[WEEK_8]))


def _trailing_active(act: Activity, window: int, start: int) -> np.ndarray:
    """Distinct actors with an event in the `window` days ending on each day from `start` to the as-of date.

    Each pair covers the days [day, day + window), cut at the actor's next active day so an
    actor is never counted twice: the covered ranges are disjoint, and a difference array
    summed once gives every day's count.
    """
    length = act.as_of - start + 1
    if act.actors == 0 or length <= 0:
        return np.zeros(max(length, 0), dtype=np.int64)
    following = np.empty(len(act.day), dtype=np.int64)
    following[:-1] = np.where(act.actor[1:] == act.actor[:-1], act.day[1:], np.iinfo(np.int64).max)
    following[-1] = np.iinfo(np.int64).max
    end = np.minimum(act.day + window, following)
    diff = np.bincount(np.clip(act.day - start, 0, length), minlength=length + 1)
    diff = diff - np.bincount(np.clip(end - start, 0, length), minlength=length + 1)
    # Pairs that ended before `start` add and remove at 0 alike; they cancel.
    return np.cumsum(diff)[:length]


def active_users(events: pd.DataFrame | Activity, as_of: DateLike = None, tz: str | None = None) -> pd.DataFrame:
    """Daily series from the first event's day to the as-of date: `dau` (actors active that day),
    `wau` and `mau` (distinct actors active in the trailing 7 and 30 days including that day).
    """
    act = _activity(events, as_of, tz)
    start = act.start_day
    return pd.DataFrame(
        {
            "date": pd.to_datetime(day_to_date(np.arange(start, act.as_of + 1))),
            "dau": _trailing_active(act, 1, start),
            "wau": _trailing_active(act, WAU_DAYS, start),
            "mau": _trailing_active(act, MAU_DAYS, start),
        }
    )


def active_per_period(
    events: pd.DataFrame | Activity, interval: Interval = "month", as_of: DateLike = None, tz: str | None = None
) -> pd.DataFrame:
    """Distinct active actors per calendar day, Monday week or month (`period` label, `active`)."""
    interval = check_interval(interval)
    act = _activity(events, as_of, tz)
    _, period = _active_periods(act, interval)
    if act.actors == 0:
        return pd.DataFrame({"period": pd.Series(dtype=str), "active": pd.Series(dtype=np.int64)})
    first = int(period_number(act.start_day, interval))
    last = int(period_number(act.as_of, interval))
    counts = np.bincount(period - first, minlength=last - first + 1)
    return pd.DataFrame({"period": period_labels(np.arange(first, last + 1), interval), "active": counts})


def stickiness(events: pd.DataFrame | Activity, as_of: DateLike = None, tz: str | None = None) -> pd.DataFrame:
    """Monthly stickiness (METRICS.md §8): mean daily active actors over the month's days / monthly active × 100.

    The month's days are those the data covers: from the first event's day (the data has
    nothing before it) to the as-of date, so a month cut by either end is averaged over the days
    it has; `days` says how many and `complete` whether the month ended on or before the as-of.
    """
    act = _activity(events, as_of, tz)
    columns = ["period", "days", "mean_dau", "mau", "stickiness", "complete"]
    if act.actors == 0:
        return pd.DataFrame(columns=columns)
    start = act.start_day
    dau = _trailing_active(act, 1, start)
    month_of_day = period_number(np.arange(start, act.as_of + 1), "month")
    first = int(month_of_day[0])
    months = np.arange(first, int(month_of_day[-1]) + 1)
    days = np.bincount(month_of_day - first, minlength=len(months))
    dau_sum = np.bincount(month_of_day - first, weights=dau, minlength=len(months))
    _, month_pairs = _active_periods(act, "month")
    mau = np.bincount(month_pairs - first, minlength=len(months))
    mean_dau = np.divide(dau_sum, days, out=np.full(len(months), np.nan), where=days > 0)
    ratio = np.divide(mean_dau * 100.0, mau, out=np.full(len(months), np.nan), where=mau > 0)
    return pd.DataFrame(
        {
            "period": period_labels(months, "month"),
            "days": days,
            "mean_dau": mean_dau,
            "mau": mau,
            "stickiness": ratio,
            "complete": period_end(months, "month") <= act.as_of,
        },
        columns=columns,
    )


def engagement_summary(
    events: pd.DataFrame | Activity, interval: Interval = "day", as_of: DateLike = None, tz: str | None = None
) -> dict:
    """The CLI's payload: cohorts plus the three headline rates, from one pass over the events."""
    act = _activity(events, as_of, tz)
    return {
        "cohorts": engagement_cohorts(act, interval),
        "day_7_retention": day_7_retention(act),
        "drop_off_7d": drop_off_7d(act),
        "week_8_retention": week_8_retention(act),
        "as_of": str(day_to_date(act.as_of)),
        "actors": act.actors,
    }
