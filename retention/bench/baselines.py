"""What a competent analyst would write instead of the engine: plain pandas, and DuckDB SQL.

Both compute the per-period numbers the product shares with them (METRICS.md §3–§4: customers
at start and end, new, reactivated and churned customers, MRR at start and end and the five MRR
movements) from the canonical subscriptions table, the same frame the product starts from.
They are the yardstick of the benchmark: the product must give the same numbers (checked on
every run's data by `check_agree`) in less time.

- pandas: one month-end (quarter-end, year-end) snapshot per period with a filter and a
  `groupby`, then an outer `merge` with the previous snapshot to classify each customer.
- DuckDB: `generate_series` of period ends, a range join of the spans active at each snapshot,
  and `LAG`/`LEAD` per customer over its active snapshots (gaps and islands).
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from retention.engine.metrics import Query, compute_metrics
from retention.engine.snapshots import build_model
from retention.periods import FREQ, Granularity

SHARED_COUNTS = ["customers_start", "customers_end", "customers_new", "customers_reactivated", "customers_churned"]
SHARED_MRR = ["mrr_start", "mrr_end", "mrr_new", "mrr_reactivation", "mrr_expansion", "mrr_contraction", "mrr_churned"]
SHARED = SHARED_COUNTS + SHARED_MRR

_MONTHS = {"month": 1, "quarter": 3, "year": 12}
_TRUNC = {"month": "month", "quarter": "quarter", "year": "year"}


def data_as_of(subscriptions: pd.DataFrame) -> pd.Timestamp:
    """The latest start or end date: the as-of date an analyst takes (and the product's default)."""
    return pd.Timestamp(pd.concat([subscriptions["start_date"], subscriptions["end_date"]]).max()).normalize()


def _label(period: pd.Period, granularity: Granularity) -> str:
    if granularity == "month":
        return f"{period.year:04d}-{period.month:02d}"
    if granularity == "quarter":
        return f"{period.year:04d}-Q{period.quarter}"
    return f"{period.year:04d}"


def _paid_spans(subscriptions: pd.DataFrame) -> pd.DataFrame:
    """Paying spans: the trial cut off the start, free and empty spans dropped."""
    start = subscriptions["start_date"]
    trial = subscriptions["trial_end"]
    start = start.where(trial.isna() | (trial <= start), trial)
    spans = pd.DataFrame({
        "customer_id": subscriptions["customer_id"].astype(str), "start": start,
        "end": subscriptions["end_date"], "mrr": subscriptions["mrr"].astype(float),
    })
    return spans[(spans["mrr"] > 0) & (spans["end"].isna() | (spans["end"] > spans["start"]))]


def _periods(first: pd.Timestamp, as_of: pd.Timestamp, granularity: Granularity) -> pd.PeriodIndex:
    freq = FREQ[granularity]
    last = as_of.to_period(freq)
    if last.end_time.normalize() > as_of:
        last -= 1
    return pd.period_range(first.to_period(freq), last, freq=freq)


def pandas_metrics(subscriptions: pd.DataFrame, granularity: Granularity, as_of: pd.Timestamp) -> pd.DataFrame:
    """Plain pandas: a snapshot per period (filter + groupby), merged with the previous one."""
    spans = _paid_spans(subscriptions)
    rows = []
    seen = pd.Index([], dtype=object)
    previous = pd.Series(dtype=float, name="p")
    for period in _periods(spans["start"].min(), as_of, granularity):
        day = period.end_time.normalize()
        live = spans[(spans["start"] <= day) & (spans["end"].isna() | (spans["end"] > day))]
        current = live.groupby("customer_id")["mrr"].sum().round(6)
        current = current[current > 0].rename("m")
        both = pd.merge(previous, current, left_index=True, right_index=True, how="outer").fillna(0.0)
        p, m = both["p"], both["m"]
        entering = (p == 0) & (m > 0)
        new = entering & ~both.index.isin(seen)
        react = entering & ~new
        churned = (p > 0) & (m == 0)
        expansion = (p > 0) & (m > p)
        contraction = (p > 0) & (m > 0) & (m < p)
        rows.append({
            "period": _label(period, granularity),
            "customers_start": int((p > 0).sum()), "customers_end": int((m > 0).sum()),
            "customers_new": int(new.sum()), "customers_reactivated": int(react.sum()), "customers_churned": int(churned.sum()),
            "mrr_start": float(p.sum()), "mrr_end": float(m.sum()), "mrr_new": float(m[new].sum()),
            "mrr_reactivation": float(m[react].sum()), "mrr_expansion": float((m - p)[expansion].sum()),
            "mrr_contraction": float((p - m)[contraction].sum()), "mrr_churned": float(p[churned].sum()),
        })
        seen = seen.union(current.index)
        previous = current.rename("p")
    return pd.DataFrame(rows, columns=["period", *SHARED])


_SQL = """
WITH paid AS (
    SELECT customer_id,
           CAST(CASE WHEN trial_end IS NOT NULL AND trial_end > start_date THEN trial_end ELSE start_date END AS DATE) AS s,
           CAST(end_date AS DATE) AS e,
           CAST(mrr AS DECIMAL(18, 6)) AS mrr
    FROM subs
    WHERE mrr > 0
), spans AS (
    SELECT customer_id, s, coalesce(e, DATE '9999-12-31') AS e, mrr FROM paid WHERE e IS NULL OR e > s
), starts AS (
    SELECT unnest(generate_series(date_trunc('{trunc}', min(s)), CAST($as_of AS TIMESTAMP), INTERVAL {months} MONTH)) AS d
    FROM spans
), snaps AS (
    SELECT CAST(row_number() OVER (ORDER BY d) - 1 AS INTEGER) AS k, CAST(d + INTERVAL {months} MONTH - INTERVAL 1 DAY AS DATE) AS snap
    FROM starts
    WHERE CAST(d + INTERVAL {months} MONTH - INTERVAL 1 DAY AS DATE) <= CAST($as_of AS DATE)
), active AS (
    SELECT p.k, s.customer_id, sum(s.mrr) AS mrr
    FROM snaps p JOIN spans s ON s.s <= p.snap AND s.e > p.snap
    GROUP BY p.k, s.customer_id
), runs AS (
    SELECT k, customer_id, mrr,
           lag(k) OVER w AS prev_k, lag(mrr) OVER w AS prev_mrr, lead(k) OVER w AS next_k
    FROM active
    WINDOW w AS (PARTITION BY customer_id ORDER BY k)
), arrivals AS (
    SELECT k,
           count(*) AS customers_end,
           sum(mrr) AS mrr_end,
           count(*) FILTER (WHERE prev_k IS NULL) AS customers_new,
           sum(mrr) FILTER (WHERE prev_k IS NULL) AS mrr_new,
           count(*) FILTER (WHERE prev_k < k - 1) AS customers_reactivated,
           sum(mrr) FILTER (WHERE prev_k < k - 1) AS mrr_reactivation,
           sum(mrr - prev_mrr) FILTER (WHERE prev_k = k - 1 AND mrr > prev_mrr) AS mrr_expansion,
           sum(prev_mrr - mrr) FILTER (WHERE prev_k = k - 1 AND mrr < prev_mrr) AS mrr_contraction
    FROM runs
    GROUP BY k
), departures AS (
    SELECT k + 1 AS k, count(*) AS customers_churned, sum(mrr) AS mrr_churned
    FROM runs
    WHERE next_k IS NULL OR next_k > k + 1
    GROUP BY k + 1
), per AS (
    SELECT snaps.k, snaps.snap,
           coalesce(a.customers_end, 0) AS customers_end, coalesce(a.mrr_end, 0) AS mrr_end,
           coalesce(a.customers_new, 0) AS customers_new, coalesce(a.mrr_new, 0) AS mrr_new,
           coalesce(a.customers_reactivated, 0) AS customers_reactivated, coalesce(a.mrr_reactivation, 0) AS mrr_reactivation,
           coalesce(a.mrr_expansion, 0) AS mrr_expansion, coalesce(a.mrr_contraction, 0) AS mrr_contraction,
           coalesce(d.customers_churned, 0) AS customers_churned, coalesce(d.mrr_churned, 0) AS mrr_churned
    FROM snaps LEFT JOIN arrivals a USING (k) LEFT JOIN departures d USING (k)
)
SELECT snap,
       CAST(coalesce(lag(customers_end) OVER (ORDER BY k), 0) AS BIGINT) AS customers_start,
       CAST(customers_end AS BIGINT) AS customers_end,
       CAST(customers_new AS BIGINT) AS customers_new,
       CAST(customers_reactivated AS BIGINT) AS customers_reactivated,
       CAST(customers_churned AS BIGINT) AS customers_churned,
       CAST(coalesce(lag(mrr_end) OVER (ORDER BY k), 0) AS DOUBLE) AS mrr_start,
       CAST(mrr_end AS DOUBLE) AS mrr_end,
       CAST(mrr_new AS DOUBLE) AS mrr_new,
       CAST(mrr_reactivation AS DOUBLE) AS mrr_reactivation,
       CAST(mrr_expansion AS DOUBLE) AS mrr_expansion,
       CAST(mrr_contraction AS DOUBLE) AS mrr_contraction,
       CAST(mrr_churned AS DOUBLE) AS mrr_churned
FROM per
ORDER BY k
"""


def duckdb_metrics(
    subscriptions: pd.DataFrame, granularity: Granularity, as_of: pd.Timestamp, con: duckdb.DuckDBPyConnection | None = None
) -> pd.DataFrame:
    """DuckDB SQL over the same frame: period ends, a range join of active spans, LAG/LEAD per customer.

    MRR is summed as DECIMAL(18, 6), the exact type an analyst uses for money.
    """
    own = con is None
    con = con or duckdb.connect()
    con.execute("SET enable_progress_bar = false")  # no bar in the benchmark's Markdown
    try:
        con.register("subs", subscriptions[["customer_id", "start_date", "end_date", "trial_end", "mrr"]])
        sql = _SQL.format(trunc=_TRUNC[granularity], months=_MONTHS[granularity])
        frame = con.execute(sql, {"as_of": as_of.to_pydatetime()}).df()
        con.unregister("subs")
    finally:
        if own:
            con.close()
    periods = pd.PeriodIndex(pd.to_datetime(frame.pop("snap")), freq=FREQ[granularity])
    frame.insert(0, "period", [_label(p, granularity) for p in periods])
    return frame[["period", *SHARED]]


def product_metrics(subscriptions: pd.DataFrame, granularity: Granularity, as_of: pd.Timestamp) -> pd.DataFrame:
    """The product on the same frame: snapshot matrix, then every metric; only the shared columns kept."""
    table = compute_metrics(build_model(subscriptions, as_of), Query(granularity=granularity))
    return table[["period", *SHARED]]


def product_all(subscriptions: pd.DataFrame, as_of: pd.Timestamp) -> dict[str, pd.DataFrame]:
    """What a dashboard session pays: one snapshot matrix, then every granularity from it."""
    model = build_model(subscriptions, as_of)
    return {g: compute_metrics(model, Query(granularity=g))[["period", *SHARED]] for g in ("month", "quarter", "year")}


def check_agree(product: pd.DataFrame, baseline: pd.DataFrame, name: str) -> None:
    """Raise AssertionError naming the first period and metric where a baseline and the product differ.

    Counts must be equal; MRR must agree to a millionth of a currency unit per period (the
    product sums exact micro-units, the pandas baseline sums floats).
    """
    if list(product["period"]) != list(baseline["period"]):
        raise AssertionError(f"{name}: periods differ: {list(product['period'])[:3]}… vs {list(baseline['period'])[:3]}…")
    for column in SHARED:
        a = product[column].to_numpy(dtype=float)
        b = baseline[column].to_numpy(dtype=float)
        ok = a == b if column in SHARED_COUNTS else np.isclose(a, b, rtol=1e-12, atol=1e-6)
        if not ok.all():
            i = int(np.flatnonzero(~ok)[0])
            raise AssertionError(f"{name}: {column} in {product['period'].iloc[i]} is {b[i]!r}, the product says {a[i]!r}")


__all__ = ["SHARED", "check_agree", "product_all", "data_as_of", "duckdb_metrics", "pandas_metrics", "product_metrics"]
