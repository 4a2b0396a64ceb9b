"""Accounts at risk: paying customers whose usage is falling or who said they are unhappy.

A customer-success lead wants a short list, biggest revenue first, with the reason next to
each name.  Two signals, either is enough:

- **Usage falling**: the customer's events per week over the last 4 weeks (the 28 days ending
  on the as-of date) are lower than their events per week over the 8 weeks before that (days
  29–84 back) by more than `drop_share` (0.5 = fell by more than half).  Weekly averages make
  the two windows comparable; a customer with no events in the earlier 8 weeks has no baseline
  and is not flagged (a new account is not a falling one), nor is one with fewer than
  `min_previous_events` events there (from 1 event to 0 is noise, not a trend).  When the data
  starts inside the earlier window, that window's average is taken over the weeks the data
  covers (started weeks, at least one); with no data before the last 4 weeks there is no
  usage signal.
- **Detractor**: the customer's latest NPS answer in the last `detractor_days` days was 0–6.

With a snapshot model, only customers paying at its latest month-end are listed (a churned
customer is no longer a risk), with that MRR; without one, MRR is empty.

The result holds codes and numbers only (`usage_falling`, `usage_change`, `detractor`, `last_nps`,
`last_nps_date`); the sentence saying why an account is listed is written where it is shown
(`retention.report.at_risk.with_reasons`), in the reader's language.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from retention.engine.engagement import DateLike, day_number, event_days
from retention.engine.snapshots import MICRO, SnapshotModel

RECENT_WEEKS = 4
BASELINE_WEEKS = 8
DEFAULT_DROP_SHARE = 0.5
DETRACTOR_DAYS = 90
MIN_PREVIOUS_EVENTS = 4
COLUMNS = [
    "customer_id", "mrr", "recent_weekly_events", "previous_weekly_events", "usage_change",
    "usage_falling", "last_nps", "last_nps_date", "detractor",
]


def _usage(events: pd.DataFrame, as_of: int, tz: str | None) -> pd.DataFrame:
    """Events per week in the recent and the previous window, per customer (bincounts over customer codes)."""
    customers = events["customer_id"]
    if not isinstance(customers.dtype, pd.CategoricalDtype):
        customers = customers.astype("category")
    codes = customers.cat.codes.to_numpy()
    days = event_days(events, tz)
    n = len(customers.cat.categories)
    recent_start = as_of - 7 * RECENT_WEEKS + 1
    base_start = recent_start - 7 * BASELINE_WEEKS
    has = codes >= 0
    recent = np.bincount(codes[has & (days >= recent_start) & (days <= as_of)], minlength=n)
    previous = np.bincount(codes[has & (days >= base_start) & (days < recent_start)], minlength=n)
    data_start = int(days[has].min()) if has.any() else as_of
    # Weeks of the earlier window the data covers, counted in started weeks (a weekly user whose
    # first event is the window's first Monday still has a full week there).
    base_weeks = min(BASELINE_WEEKS, -(-(recent_start - max(base_start, data_start)) // 7))
    previous_weekly = previous / base_weeks if base_weeks >= 1 else np.full(n, np.nan)
    return pd.DataFrame(
        {
            "customer_id": customers.cat.categories.astype(str),
            "recent_weekly_events": recent / RECENT_WEEKS,
            "previous_weekly_events": previous_weekly,
            "previous_events": previous,
        }
    )


def _latest_nps(surveys: pd.DataFrame, as_of: int, detractor_days: int) -> pd.DataFrame:
    """Each customer's latest NPS answer dated within the last `detractor_days` days."""
    nps = surveys[surveys["kind"].astype(str).eq("nps")]
    day = nps["date"].to_numpy(dtype="datetime64[D]").astype(np.int64)
    recent = nps[(day > as_of - detractor_days) & (day <= as_of)]
    latest = recent.sort_values(["date"], kind="stable").drop_duplicates("customer_id", keep="last")
    return pd.DataFrame(
        {
            "customer_id": latest["customer_id"].astype(str).to_numpy(),
            "last_nps": latest["score"].to_numpy(),
            "last_nps_date": latest["date"].to_numpy(),
        }
    )


def at_risk_accounts(
    events: pd.DataFrame | None = None,
    surveys: pd.DataFrame | None = None,
    model: SnapshotModel | None = None,
    drop_share: float = DEFAULT_DROP_SHARE,
    as_of: DateLike = None,
    tz: str | None = None,
    detractor_days: int = DETRACTOR_DAYS,
    min_previous_events: int = MIN_PREVIOUS_EVENTS,
) -> pd.DataFrame:
    """The at-risk accounts (see the module docstring), biggest MRR first, then steepest usage fall.

    `as_of` defaults to the latest event's day, else the latest survey answer's.  `usage_change`
    is the % change of weekly events (−75 = a quarter of the earlier level).
    """
    if not 0 <= drop_share < 1:
        raise ValueError("the usage drop share must be at least 0 and below 1 (0.5 = usage fell by more than half)")
    has_events = events is not None and len(events) > 0
    has_surveys = surveys is not None and len(surveys) > 0
    if not has_events and not has_surveys:
        return pd.DataFrame(columns=COLUMNS)
    last = _last_day(events if has_events else None, surveys, as_of, tz)
    frame = _signals(events if has_events else None, surveys if has_surveys else None, last, tz, detractor_days)
    frame = _flag(frame, drop_share, min_previous_events)
    if model is not None:
        frame = _paying(frame, model)
    flagged = frame[frame["usage_falling"] | frame["detractor"]].copy()
    flagged = flagged.sort_values(["mrr", "usage_change", "customer_id"], ascending=[False, True, True], na_position="last")
    flagged["last_nps_date"] = pd.to_datetime(flagged["last_nps_date"])
    return flagged[COLUMNS].reset_index(drop=True)


def _last_day(events: pd.DataFrame | None, surveys: pd.DataFrame | None, as_of: DateLike, tz: str | None) -> int:
    """The as-of day number: the given one, else the latest event's day, else the latest answer's."""
    if as_of is not None:
        return day_number(as_of)
    if events is not None:
        return int(event_days(events, tz).max())
    return day_number(surveys["date"].max())


def _signals(events: pd.DataFrame | None, surveys: pd.DataFrame | None, last: int, tz: str | None,
             detractor_days: int) -> pd.DataFrame:
    """One row per customer with usage per window and latest NPS answer (outer join of both signals)."""
    frame = pd.DataFrame({"customer_id": pd.Series(dtype=str)})
    if events is not None and "customer_id" in events:
        frame = frame.merge(_usage(events, last, tz), on="customer_id", how="outer")
    if surveys is not None:
        frame = frame.merge(_latest_nps(surveys, last, detractor_days), on="customer_id", how="outer")
    for column in [*COLUMNS, "previous_events"]:
        if column not in frame:
            frame[column] = np.nan
    return frame


def _flag(frame: pd.DataFrame, drop_share: float, min_previous_events: int) -> pd.DataFrame:
    """Add usage_change (%), usage_falling and detractor flags."""
    previous = frame["previous_weekly_events"].to_numpy(dtype=float)
    recent = frame["recent_weekly_events"].fillna(0.0).to_numpy(dtype=float)
    change = np.full(len(frame), np.nan)
    np.divide((recent - previous) * 100.0, previous, out=change, where=previous > 0)
    frame["usage_change"] = change
    enough = frame["previous_events"].fillna(0).to_numpy() >= max(min_previous_events, 1)
    frame["usage_falling"] = enough & (previous > 0) & (recent < previous * (1.0 - drop_share))
    frame["detractor"] = frame["last_nps"].notna() & (frame["last_nps"] <= 6)
    return frame


def _paying(frame: pd.DataFrame, model: SnapshotModel) -> pd.DataFrame:
    """Only customers paying at the model's latest month-end, with that MRR."""
    mrr = pd.Series(
        model.mrr[:, -1] / MICRO if len(model.months) else np.zeros(len(model.customer_ids)),
        index=model.customer_ids.astype(str),
    )
    frame["mrr"] = frame["customer_id"].map(mrr)
    return frame[frame["mrr"] > 0]
