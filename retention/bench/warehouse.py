"""`./dev bench --warehouse`: the warehouse engine at scale, where the data lives.

Spans are generated inside each backend with its own SQL (so generating them costs no Python
memory): N spans over N/5 customers from 2018 on, a third still running, the rest 1–700 days long,
MRR 10–510.  The engine then computes monthly, quarterly and yearly metrics and the monthly cohort
triangle.  Measured per step: seconds, rows that came back, and the Python heap's peak during the
step (tracemalloc: what the engine itself allocates in Python, flat as rows grow when only
aggregates come back; the database's own memory is the database's).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from retention.engine.query import Query

TODAY = pd.Timestamp("2024-12-31")


def parse_count(text: str) -> int:
    text = text.strip().upper()
    scale = {"K": 1_000, "M": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


def _label(n: int) -> str:
    return f"{n / 1e6:g}M" if n >= 1_000_000 else f"{n / 1e3:g}k"


def duckdb_spans(path: Path, spans: int):
    """A DuckDB file holding `spans` generated spans; returns the Ibis table."""
    import ibis

    con = ibis.duckdb.connect(str(path))
    customers = max(1, spans // 5)
    con.raw_sql(f"""
        CREATE OR REPLACE TABLE subscriptions AS
        SELECT 'c' || (i % {customers}) AS customer_id,
               DATE '2018-01-01' + CAST(hash(i) % 2000 AS INTEGER) AS start_date,
               CASE WHEN hash(i * 7) % 3 = 0 THEN NULL
                    ELSE DATE '2018-01-01' + CAST(hash(i) % 2000 AS INTEGER) + CAST(1 + hash(i * 13) % 700 AS INTEGER)
               END AS end_date,
               10 + (hash(i * 17) % 50000) / 100.0 AS mrr
        FROM range({spans}) AS t(i)""")
    return con.table("subscriptions")


def postgres_spans(url: str, spans: int):
    import ibis

    con = ibis.connect(url)
    customers = max(1, spans // 5)
    con.raw_sql(f"""
        DROP TABLE IF EXISTS subscriptions;
        CREATE TABLE subscriptions AS
        SELECT 'c' || (i % {customers}) AS customer_id,
               DATE '2018-01-01' + (abs(hashint4(i)) % 2000) AS start_date,
               CASE WHEN abs(hashint4(i * 7)) % 3 = 0 THEN NULL
                    ELSE DATE '2018-01-01' + (abs(hashint4(i)) % 2000) + 1 + abs(hashint4(i * 13)) % 700
               END AS end_date,
               10 + (abs(hashint4(i * 17)) % 50000) / 100.0 AS mrr
        FROM generate_series(0, {spans - 1}) AS t(i);
        CREATE INDEX ON subscriptions (customer_id, start_date);
        ANALYZE subscriptions;""")
    return con.table("subscriptions")


def spark_spans(session, spans: int):
    import ibis

    customers = max(1, spans // 5)
    session.sql(f"""
        SELECT concat('c', CAST(id % {customers} AS STRING)) AS customer_id,
               date_add(DATE '2018-01-01', CAST(pmod(hash(id), 2000) AS INT)) AS start_date,
               CASE WHEN pmod(hash(id * 7), 3) = 0 THEN NULL
                    ELSE date_add(DATE '2018-01-01', CAST(pmod(hash(id), 2000) + 1 + pmod(hash(id * 13), 700) AS INT))
               END AS end_date,
               10 + pmod(hash(id * 17), 50000) / 100.0 AS mrr
        FROM range({spans})""").cache().createOrReplaceTempView("subscriptions")
    return ibis.pyspark.connect(session).table("subscriptions")


def measure(step: str, fn: Callable[[], object], again: Callable[[], object]) -> dict[str, object]:
    """Seconds of `fn` untraced, then the Python heap's peak over `again` (the same step on a fresh engine):
    tracemalloc slows Python several times, so it never runs while the clock does."""
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    again()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rows = len(result) if hasattr(result, "__len__") else len(getattr(result, "rows", []))
    if hasattr(result, "rows") and not isinstance(result, pd.DataFrame):
        rows = sum(len(r.values) for r in result.rows)
    return {"step": step, "seconds": seconds, "rows back": rows, "python peak MB": peak / 1e6}


def run_engine(backend: str, spans: int, table, steps: Sequence[str]) -> list[dict[str, object]]:
    from retention.warehouse import IbisEngine

    out = []
    for step in steps:
        def ask(step=step):
            engine = IbisEngine(table, today=TODAY)  # a fresh engine per call: nothing cached between them
            if step == "cohorts month":
                return engine.cohorts(Query(granularity="month"))
            return engine.metrics(Query(granularity=step.split()[-1]))

        record = measure(step, ask, ask)
        out.append({"backend": backend, "spans": _label(spans), **record})
    return out


def main(argv: Sequence[str] | None = None, out=print) -> int:
    parser = argparse.ArgumentParser(prog="python -m retention.bench --warehouse")
    parser.add_argument("--warehouse", action="store_true")
    parser.add_argument("--duckdb", default="1M,3M,10M", help="DuckDB file sizes in spans (default 1M,3M,10M)")
    parser.add_argument("--postgres", default="1M", help="PostgreSQL sizes (default 1M; empty for none)")
    parser.add_argument("--spark", default="1M", help="Spark local sizes (default 1M; empty for none)")
    args = parser.parse_args(argv)
    os.environ.setdefault("DUCKDB_NO_PROGRESS_BAR", "1")
    steps = ["metrics month", "metrics quarter", "metrics year", "cohorts month"]
    records: list[dict[str, object]] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="retention-bench-") as folder:
        for n in sorted(parse_count(x) for x in args.duckdb.split(",") if x.strip()):
            table = duckdb_spans(Path(folder) / f"billing-{n}.duckdb", n)
            records += run_engine("duckdb", n, table, steps)
            table.get_backend().disconnect()
    if args.postgres.strip():
        from retention.warehouse.throwaway import postgres

        with postgres() as url:
            for n in sorted(parse_count(x) for x in args.postgres.split(",") if x.strip()):
                records += run_engine("postgres", n, postgres_spans(url, n), steps[:1] + steps[3:])
    if args.spark.strip():
        from retention.warehouse.throwaway import spark

        with spark(partitions=4) as session:
            for n in sorted(parse_count(x) for x in args.spark.split(",") if x.strip()):
                records += run_engine("spark", n, spark_spans(session, n), steps[:1] + steps[3:])
    frame = pd.DataFrame(records)
    out("# Warehouse engine at scale\n")
    out(frame.to_string(index=False, float_format=lambda v: f"{v:,.2f}"))
    out(f"\nspans over spans/5 customers; python peak = tracemalloc peak of the step; whole run {time.perf_counter() - started:.0f} s")
    return 0
