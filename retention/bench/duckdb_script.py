"""The whole-process baseline: a DuckDB SQL script an analyst would run on the subscriptions CSV.

Run as a plain script (`python duckdb_script.py subscriptions.csv 2024-06-30`), so the process
imports DuckDB and nothing else (no pandas, no retention package): the benchmark compares it,
process against process, with `python -m retention metrics --subscriptions … --format csv`.

It reads the CSV with DuckDB's own reader, turns amount + interval + quantity into MRR the way the
product does (METRICS.md §1: trials cut off the start, free and empty spans dropped, statuses the
product rejects left out), and prints the monthly counts and MRR movements as CSV, one line per
month: the same SQL as `baselines.duckdb_metrics`.
"""

from __future__ import annotations

import csv
import sys

MONTHS_PER_INTERVAL = """
    CASE lower(trim(CAST("interval" AS VARCHAR)))
        WHEN 'month' THEN 1.0 WHEN 'year' THEN 12.0 WHEN 'quarter' THEN 3.0
        WHEN 'week' THEN 12.0 / 52.0 WHEN 'day' THEN 12.0 / 365.0
    END
"""

EXCLUDED = "('incomplete', 'incomplete_expired', 'void', 'draft', 'uncollectible', 'failed')"

SQL = f"""
WITH raw AS (
    SELECT * FROM read_csv($path, header = true, auto_detect = true)
), subs AS (
    SELECT CAST(customer_id AS VARCHAR) AS customer_id,
           CAST(start_date AS DATE) AS start_date, CAST(end_date AS DATE) AS end_date,
           CAST(trial_end AS DATE) AS trial_end,
           round(CAST(amount AS DOUBLE) * coalesce(CAST(quantity AS DOUBLE), 1.0) / {MONTHS_PER_INTERVAL}, 6) AS mrr
    FROM raw
    WHERE lower(trim(coalesce(CAST(status AS VARCHAR), ''))) NOT IN {EXCLUDED}
), paid AS (
    SELECT customer_id,
           CASE WHEN trial_end IS NOT NULL AND trial_end > start_date THEN trial_end ELSE start_date END AS s,
           end_date AS e,
           CAST(mrr AS DECIMAL(18, 6)) AS mrr
    FROM subs
    WHERE mrr > 0
), spans AS (
    SELECT customer_id, s, coalesce(e, DATE '9999-12-31') AS e, mrr FROM paid WHERE e IS NULL OR e > s
), starts AS (
    SELECT unnest(generate_series(date_trunc('month', min(s)), CAST($as_of AS TIMESTAMP), INTERVAL 1 MONTH)) AS d FROM spans
), snaps AS (
    SELECT CAST(row_number() OVER (ORDER BY d) - 1 AS INTEGER) AS k, CAST(d + INTERVAL 1 MONTH - INTERVAL 1 DAY AS DATE) AS snap
    FROM starts
    WHERE CAST(d + INTERVAL 1 MONTH - INTERVAL 1 DAY AS DATE) <= CAST($as_of AS DATE)
), active AS (
    SELECT p.k, s.customer_id, sum(s.mrr) AS mrr
    FROM snaps p JOIN spans s ON s.s <= p.snap AND s.e > p.snap
    GROUP BY p.k, s.customer_id
), runs AS (
    SELECT k, customer_id, mrr, lag(k) OVER w AS prev_k, lag(mrr) OVER w AS prev_mrr, lead(k) OVER w AS next_k
    FROM active
    WINDOW w AS (PARTITION BY customer_id ORDER BY k)
), arrivals AS (
    SELECT k, count(*) AS customers_end, sum(mrr) AS mrr_end,
           count(*) FILTER (WHERE prev_k IS NULL) AS customers_new, sum(mrr) FILTER (WHERE prev_k IS NULL) AS mrr_new,
           count(*) FILTER (WHERE prev_k < k - 1) AS customers_reactivated,
           sum(mrr) FILTER (WHERE prev_k < k - 1) AS mrr_reactivation,
           sum(mrr - prev_mrr) FILTER (WHERE prev_k = k - 1 AND mrr > prev_mrr) AS mrr_expansion,
           sum(prev_mrr - mrr) FILTER (WHERE prev_k = k - 1 AND mrr < prev_mrr) AS mrr_contraction
    FROM runs GROUP BY k
), departures AS (
    SELECT k + 1 AS k, count(*) AS customers_churned, sum(mrr) AS mrr_churned
    FROM runs WHERE next_k IS NULL OR next_k > k + 1 GROUP BY k + 1
), per AS (
    SELECT snaps.k, snaps.snap,
           coalesce(a.customers_end, 0) AS customers_end, coalesce(a.mrr_end, 0) AS mrr_end,
           coalesce(a.customers_new, 0) AS customers_new, coalesce(a.mrr_new, 0) AS mrr_new,
           coalesce(a.customers_reactivated, 0) AS customers_reactivated, coalesce(a.mrr_reactivation, 0) AS mrr_reactivation,
           coalesce(a.mrr_expansion, 0) AS mrr_expansion, coalesce(a.mrr_contraction, 0) AS mrr_contraction,
           coalesce(d.customers_churned, 0) AS customers_churned, coalesce(d.mrr_churned, 0) AS mrr_churned
    FROM snaps LEFT JOIN arrivals a USING (k) LEFT JOIN departures d USING (k)
)
SELECT strftime(snap, '%Y-%m') AS period,
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


def main(argv: list[str]) -> int:
    import duckdb

    path, as_of = argv
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")  # its bar would land in the CSV on stdout
    cursor = con.execute(SQL, {"path": path, "as_of": as_of})
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow([d[0] for d in cursor.description])
    writer.writerows(cursor.fetchall())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
