"""Customer feedback: NPS and CSAT per period, and churn by NPS group (METRICS.md §9).

NPS counts every response, as the survey tools do (a customer answering twice counts twice),
so the numbers here match the survey tool's own report for the same dates.  Churn by NPS group
answers the question founders actually ask of an NPS programme: do detractors leave more?  It
needs the subscriptions, through the monthly snapshot model.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from retention.engine.snapshots import SnapshotModel
from retention.periods import FREQ, Granularity, check_granularity, label

GROUPS = ("promoters", "passives", "detractors")
CHURN_MONTHS = 3
TABLE_COLUMNS = ["period", "responses", "promoters", "passives", "detractors", "nps", "csat_responses", "csat"]



def nps_groups(scores: pd.Series | np.ndarray) -> np.ndarray:
    """`promoters` (9–10), `passives` (7–8) or `detractors` (0–6) for each NPS score."""
    scores = np.asarray(scores)
    return np.where(scores >= 9, "promoters", np.where(scores >= 7, "passives", "detractors"))


def nps_score(promoters: np.ndarray, detractors: np.ndarray, responses: np.ndarray) -> np.ndarray:
    """% promoters − % detractors, NaN when there are no responses."""
    out = np.full(np.shape(responses), np.nan)
    np.divide((np.asarray(promoters) - np.asarray(detractors)) * 100.0, responses, out=out, where=np.asarray(responses) > 0)
    return out


def _until(surveys: pd.DataFrame, as_of: pd.Timestamp | date | str | None) -> pd.DataFrame:
    if as_of is None:
        return surveys
    return surveys[surveys["date"] <= pd.Timestamp(as_of).normalize()]


def feedback_table(
    surveys: pd.DataFrame, granularity: Granularity = "month", as_of: pd.Timestamp | date | str | None = None
) -> pd.DataFrame:
    """NPS and CSAT per period, from the first response's period to the as-of date's period.

    `responses` counts NPS answers (= promoters + passives + detractors); `csat_responses`
    counts CSAT answers and `csat` is the share of 4–5 answers × 100.  A period without answers
    of a kind has a null score for it.  The last period may be running: feedback is reported as
    it arrives (the default as-of is the latest response's date).
    """
    granularity = check_granularity(granularity)
    surveys = _until(surveys, as_of)
    if surveys.empty:
        return pd.DataFrame(columns=TABLE_COLUMNS)
    freq = FREQ[granularity]
    periods = surveys["date"].dt.to_period(freq)
    last_day = pd.Timestamp(as_of).normalize() if as_of is not None else surveys["date"].max()
    window = pd.period_range(periods.min(), last_day.to_period(freq), freq=freq)
    pos = (periods.astype("int64") - window[0].ordinal).to_numpy()
    n = len(window)
    is_nps = surveys["kind"].astype(str).eq("nps").to_numpy()
    scores = surveys["score"].to_numpy()
    groups = nps_groups(scores)

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(pos[mask], minlength=n)

    promoters = count(is_nps & (groups == "promoters"))
    passives = count(is_nps & (groups == "passives"))
    detractors = count(is_nps & (groups == "detractors"))
    responses = promoters + passives + detractors
    csat_responses = count(~is_nps)
    satisfied = count(~is_nps & (scores >= 4))
    csat = np.full(n, np.nan)
    np.divide(satisfied * 100.0, csat_responses, out=csat, where=csat_responses > 0)
    return pd.DataFrame(
        {
            "period": [label(p) for p in window],
            "responses": responses,
            "promoters": promoters,
            "passives": passives,
            "detractors": detractors,
            "nps": nps_score(promoters, detractors, responses),
            "csat_responses": csat_responses,
            "csat": csat,
        },
        columns=TABLE_COLUMNS,
    )


def nps_overall(surveys: pd.DataFrame) -> float | None:
    """NPS over all the responses given (a KPI card for the chosen window)."""
    nps = surveys[surveys["kind"].astype(str).eq("nps")]
    if nps.empty:
        return None
    groups = nps_groups(nps["score"])
    return float(nps_score((groups == "promoters").sum(), (groups == "detractors").sum(), len(nps)))


def csat_overall(surveys: pd.DataFrame) -> float | None:
    """CSAT over all the CSAT answers given: % of 4–5 answers."""
    csat = surveys[surveys["kind"].astype(str).eq("csat")]
    if csat.empty:
        return None
    return float((csat["score"] >= 4).sum() * 100.0 / len(csat))


def response_outcomes(surveys: pd.DataFrame, model: SnapshotModel, months: int = CHURN_MONTHS) -> pd.DataFrame:
    """Every NPS response that can be followed for `months` monthly snapshots, with whether its customer churned.

    A response counts when (1) its customer was active (MRR > 0) at the last month-end snapshot
    on or before the response date, and (2) the `months` month-end snapshots after that one
    are all on or before the model's as-of date (the model holds complete months only).  The
    customer churned when inactive at any of those snapshots, even if they came back later.
    Responses of customers who were not paying when they answered, or answered too recently
    to know, are left out: counting them would dilute the churn rate with customers who
    could not yet have churned.
    """
    nps = surveys[surveys["kind"].astype(str).eq("nps")]
    columns = ["customer_id", "date", "score", "group", "churned"]
    if nps.empty or len(model.months) == 0:
        return pd.DataFrame(columns=columns)
    dates = nps["date"]
    month = dates.dt.to_period("M")
    at_month_end = (dates + pd.offsets.Day(1)).dt.month != dates.dt.month
    snapshot = month.astype("int64").to_numpy() - np.where(at_month_end, 0, 1)
    col = snapshot - model.months[0].ordinal
    row = model.customer_ids.get_indexer(nps["customer_id"].astype(str))
    last = len(model.months) - 1
    usable = (row >= 0) & (col >= 0) & (col + months <= last)
    active = model.active
    r, c = row[usable], col[usable]
    was_active = active[r, c]
    churned = np.zeros(len(r), dtype=bool)
    for k in range(1, months + 1):  # three column reads, not a loop over responses
        churned |= ~active[r, c + k]
    picked = nps[usable][was_active]
    return pd.DataFrame(
        {
            "customer_id": picked["customer_id"].to_numpy(),
            "date": picked["date"].to_numpy(),
            "score": picked["score"].to_numpy(),
            "group": nps_groups(picked["score"]),
            "churned": churned[was_active],
        },
        columns=columns,
    )


def churn_by_group(surveys: pd.DataFrame, model: SnapshotModel, months: int = CHURN_MONTHS) -> dict[str, dict]:
    """Per NPS group: `responses` followed (see `response_outcomes`), `churned` among them, `churn_rate` %.

    `churn_rate` is None when a group has no response that can be followed.
    """
    outcomes = response_outcomes(surveys, model, months)
    out: dict[str, dict] = {}
    for group in GROUPS:
        mine = outcomes[outcomes["group"] == group]
        responses, churned = len(mine), int(mine["churned"].sum())
        out[group] = {
            "responses": responses,
            "churned": churned,
            "churn_rate": churned * 100.0 / responses if responses else None,
        }
    return out


def detractor_comments(surveys: pd.DataFrame, start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Detractors' comments, newest first (`start`/`end` are inclusive dates), for the Feedback page."""
    rows = surveys[surveys["kind"].astype(str).eq("nps") & (surveys["score"] <= 6)]
    rows = rows[rows["comment"].astype(str).str.strip().ne("")]
    if start is not None:
        rows = rows[rows["date"] >= pd.Timestamp(start)]
    if end is not None:
        rows = rows[rows["date"] <= pd.Timestamp(end)]
    return rows[["date", "customer_id", "score", "comment"]].sort_values(["date", "customer_id"], ascending=[False, True]).reset_index(
        drop=True
    )
