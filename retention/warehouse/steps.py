"""METRICS.md §2–§7 as Ibis expressions, one small step per grain (as the dbt MRR playbook names them).

    paid_spans          span            trials cut off, free and empty spans dropped (§1)
    customer_snapshots  customer × p    MRR at each period's snapshot, by a range join on the calendar (§2)
    coarser_snapshots   customer × p    a quarter's or year's snapshots picked from the monthly ones
    changes             customer × p    previous and current MRR by LAG per customer, plus a churn row the
                                        period after a run ends; first-active flag (§3, §4)
    period_movements    p               counts and MRR movements, start = LAG(end) (§3, §4)
    period_rates        p               the §3/§4 rates
    monthly_lifetime    month           1 / mean monthly logo churn over the trailing 6 months (§5)
    renewals            p               paid spans ending in p, and those renewed on their end day (§5)
    cohort_cells        cohort × p      customers and MRR of each cohort at each later snapshot (§6)
    first_runs          customer        first run of consecutive monthly snapshots, and its end (§7)

MRR travels as integer micro-units (round(mrr × 10⁶)), as in the NumPy engine, so sums are exact on
every backend and "active" never depends on floating-point residue.  Every step is lazy: nothing runs
until the engine executes the final, small, per-period expression.  Divisions go through NULLIF so a
zero denominator is null (never an error under Spark's ANSI mode, never 0).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

MICRO = 1_000_000
LIFETIME_MONTHS = 6


def paid_spans(subscriptions: ir.Table) -> ir.Table:
    """customer_id, start, end, mrr (micro-units): spans that earn MRR (METRICS.md §1).

    The paid part of a span starts at `trial_end` when the trial ends after the start; spans with
    no MRR or no paid day (end on or before the paid start) are dropped.
    """
    s = subscriptions
    start = s.start_date.cast("date")
    if "trial_end" in s.columns:
        trial = s.trial_end.cast("date")
        start = ibis.ifelse(trial.notnull() & (trial > start), trial, start)
    spans = s.select(
        customer_id=s.customer_id.cast("string"),
        start=start,
        end=s.end_date.cast("date"),
        mrr=(s.mrr.cast("float64") * MICRO).round().cast("int64"),
    )
    return spans.filter((spans.mrr > 0) & (spans.end.isnull() | (spans.end > spans.start)))


def customer_snapshots(spans: ir.Table, calendar: ir.Table) -> ir.Table:
    """customer_id, p, mrr: each customer's MRR at each snapshot where it is active (MRR > 0).

    A span is active on day d when start <= d < end (end exclusive, open end = still running).
    """
    joined = spans.join(
        calendar,
        [spans.start <= calendar.snap, spans.end.isnull() | (spans.end > calendar.snap)],
    )
    return joined.group_by(["customer_id", "p"]).aggregate(mrr=joined.mrr.sum().cast("int64"))


def coarser_snapshots(monthly: ir.Table, calendar: ir.Table) -> ir.Table:
    """customer_id, p, mrr at each snapshot of a quarter or year calendar, taken from the monthly snapshots.

    A quarter's (year's) snapshot is its last day, which is its last month's snapshot: the calendar's
    `month` column numbers that month as the monthly calendar does, so an equality join picks it.  The
    metrics of a coarser period need the monthly grid anyway (lifetime), so the spans are range-joined
    and grouped once per query instead of twice.
    """
    cal = calendar.select(q=calendar.p, q_month=calendar.month)
    joined = monthly.join(cal, monthly.p == cal.q_month)
    return joined.select("customer_id", p=joined.q.cast("int64"), mrr=joined.mrr)


def changes(snapshots: ir.Table, periods: int) -> ir.Table:
    """customer_id, p, prev, cur, first: every active cell, and a churn row after each run.

    `prev` is the customer's MRR at the previous snapshot (0 when it was inactive there), `first`
    marks its first active snapshot.  A run that ends before the last period adds a row at the
    next period with prev = its MRR and cur = 0.  Unchanged cells (prev = cur) stay: they are the
    customers at the end.
    """
    w = ibis.window(group_by=snapshots.customer_id, order_by=snapshots.p)
    everyone = ibis.window(group_by=snapshots.customer_id)
    t = snapshots.mutate(
        prev_p=snapshots.p.lag().over(w),
        prev_mrr=snapshots.mrr.lag().over(w),
        next_p=snapshots.p.lead().over(w),
        first_p=snapshots.p.min().over(everyone),
    )
    follows = (t.prev_p == t.p - 1).fill_null(False)
    active = t.select(
        customer_id=t.customer_id,
        p=t.p.cast("int64"),
        prev=ibis.ifelse(follows, t.prev_mrr, 0).cast("int64"),
        cur=t.mrr.cast("int64"),
        first=(t.p == t.first_p),
    )
    run_ends = t.next_p.isnull() | (t.next_p != t.p + 1)
    churn = t.filter(run_ends & (t.p + 1 < periods)).select(
        customer_id=t.customer_id,
        p=(t.p + 1).cast("int64"),
        prev=t.mrr.cast("int64"),
        cur=ibis.literal(0).cast("int64"),
        first=ibis.literal(False),
    )
    return active.union(churn, distinct=False)


def _count(condition: ir.BooleanValue) -> ir.IntegerScalar:
    return ibis.ifelse(condition, 1, 0).sum()


def _amount(condition: ir.BooleanValue, value: ir.IntegerValue) -> ir.IntegerScalar:
    return ibis.ifelse(condition, value, 0).sum()


def period_movements(cells: ir.Table, calendar: ir.Table) -> ir.Table:
    """One row per calendar period: the customer counts and MRR movements of §3 and §4 (micro-units)."""
    c = cells
    entering = (c.prev == 0) & (c.cur > 0)
    staying = (c.prev > 0) & (c.cur > 0)
    agg = c.group_by("p").aggregate(
        customers_end=_count(c.cur > 0),
        customers_new=_count(entering & c.first),
        customers_reactivated=_count(entering & ~c.first),
        customers_churned=_count((c.prev > 0) & (c.cur == 0)),
        mrr_end=c.cur.sum(),
        mrr_new=_amount(entering & c.first, c.cur),
        mrr_reactivation=_amount(entering & ~c.first, c.cur),
        mrr_expansion=_amount(staying & (c.cur > c.prev), c.cur - c.prev),
        mrr_contraction=_amount(staying & (c.cur < c.prev), c.prev - c.cur),
        mrr_churned=_amount((c.prev > 0) & (c.cur == 0), c.prev),
    )
    cal = calendar.select("p", "month")
    joined = cal.left_join(agg, cal.p == agg.p)
    filled = joined.select(
        "month",
        p=cal.p,
        **{name: joined[name].fill_null(0).cast("int64") for name in agg.columns if name != "p"},
    )
    w = ibis.window(order_by=filled.p)
    return filled.mutate(
        customers_start=filled.customers_end.lag().over(w).fill_null(0).cast("int64"),
        mrr_start=filled.mrr_end.lag().over(w).fill_null(0).cast("int64"),
    )


def _ratio(num: ir.NumericValue, den: ir.NumericValue, scale: float = 100.0) -> ir.FloatingValue:
    return num.cast("float64") * scale / den.cast("float64").nullif(0.0)


def period_rates(m: ir.Table) -> ir.Table:
    """The §3 and §4 rates of a `period_movements` table (percentages; money ratios in micro-units cancel)."""
    lost = m.mrr_contraction + m.mrr_churned
    return m.mutate(
        crr=_ratio(m.customers_end - m.customers_new, m.customers_start),
        retained_rate=_ratio(m.customers_start - m.customers_churned, m.customers_start),
        logo_churn_rate=_ratio(m.customers_churned, m.customers_start),
        nrr=_ratio(m.mrr_start + m.mrr_expansion - lost, m.mrr_start),
        grr=_ratio(m.mrr_start - lost, m.mrr_start),
        gross_mrr_churn_rate=_ratio(lost, m.mrr_start),
        net_mrr_churn_rate=_ratio(lost - m.mrr_expansion - m.mrr_reactivation, m.mrr_start),
        arpa=_ratio(m.mrr_end, m.customers_end, scale=1.0 / MICRO),
        quick_ratio=_ratio(m.mrr_new + m.mrr_reactivation + m.mrr_expansion, lost, scale=1.0),
    )


def monthly_lifetime(monthly: ir.Table) -> ir.Table:
    """month, customer_lifetime_months: 1 / c, c = mean monthly logo churn of the trailing 6 months.

    Months without a churn rate (nobody at the start) are skipped by AVG, as NULLs are; the
    lifetime is null when c is 0 or no month has a rate.
    """
    churn = monthly.customers_churned.cast("float64") / monthly.customers_start.cast("float64").nullif(0.0)
    trailing = ibis.window(order_by=monthly.p, preceding=LIFETIME_MONTHS - 1, following=0)
    t = monthly.select(month=monthly.p, c=churn.mean().over(trailing))
    return t.select("month", customer_lifetime_months=1.0 / t.c.nullif(0.0))


def renewals(spans: ir.Table, every_span: ir.Table, calendar: ir.Table) -> ir.Table:
    """p, ended, renewed: paid spans of `spans` ending in p, and those whose customer has another
    paid span (from `every_span`) running on the end day.

    Whether a span is renewed depends only on its customer and end day, so spans are grouped by
    (customer, end day) first and the self-join runs on those pairs (an inner join and DISTINCT,
    which every backend's SQL spells the same way).
    """
    ending = spans.filter(spans.end.notnull())
    ends = ending.group_by(["customer_id", "end"]).aggregate(n=ending.count())
    other = every_span.select(o_customer=every_span.customer_id, o_start=every_span.start, o_end=every_span.end)
    hits = ends.join(
        other,
        [ends.customer_id == other.o_customer, other.o_start <= ends.end, other.o_end.isnull() | (other.o_end > ends.end)],
    )
    hits = hits.select(h_customer=hits.customer_id, h_end=hits.end).distinct()
    flagged = ends.left_join(hits, [ends.customer_id == hits.h_customer, ends.end == hits.h_end]).select(
        ends.end, ends.n, renewed=ibis.ifelse(ibis._.h_customer.notnull(), 1, 0)
    )
    inside = flagged.join(calendar, [calendar.first_day <= flagged.end, flagged.end <= calendar.snap])
    return inside.group_by("p").aggregate(
        ended=inside.n.sum().cast("int64"),
        renewed=(inside.n * inside.renewed).sum().cast("int64"),
    )


def cohort_cells(snapshots: ir.Table, lo: int, hi: int) -> ir.Table:
    """cohort, p, customers, mrr: cohorts first active in [lo, hi) at their snapshots before hi."""
    first = snapshots.mutate(cohort=snapshots.p.min().over(ibis.window(group_by=snapshots.customer_id)))
    shown = first.filter((first.cohort >= lo) & (first.cohort < hi) & (first.p < hi))
    return shown.group_by(["cohort", "p"]).aggregate(customers=shown.count(), mrr=shown.mrr.sum().cast("int64"))


def first_runs(monthly_snapshots: ir.Table, months: int) -> ir.Table:
    """customer_id, duration, event: each ever-active customer's first run of consecutive monthly snapshots.

    A cell is in the first run when its month minus its rank (0-based) among the customer's active
    months is the first month; the run ends with an event when its next month is inside the window.
    """
    s = monthly_snapshots
    t = s.mutate(
        rank=ibis.row_number().over(ibis.window(group_by=s.customer_id, order_by=s.p)),
        first_p=s.p.min().over(ibis.window(group_by=s.customer_id)),
    )
    runs = t.group_by("customer_id").aggregate(
        first_p=t.first_p.min(),
        duration=_count(t.p - t.rank == t.first_p),
    )
    return runs.select(
        "customer_id",
        duration=runs.duration.cast("int64"),
        event=ibis.ifelse(runs.first_p + runs.duration < months, 1, 0).cast("int64"),
    )
