"""`./dev bench --warehouse`: the warehouse engine at scale, where the data lives.

Spans are generated inside each backend with its own SQL (so generating them costs no Python
memory): N spans over N/5 customers from 2018 on, a third still running, the rest 1–700 days long,
MRR 10–510.  The engine then computes monthly, quarterly and yearly metrics and the monthly cohort
triangle, each on a fresh engine (nothing cached between steps).  Measured per step:

- seconds, with tracemalloc on (one run per step: at 10M spans a step takes minutes and running it
  twice, once timed and once traced, would double the run).  What tracing costs is measured at the
  start, on a small table, and printed: it slows only the Python side (Ibis compiling the query,
  the result's conversion), a few seconds per step, whatever the size;
- rows that came back to Python;
- the Python heap's peak during the step (tracemalloc: what the engine allocates in Python, which
  must stay flat as rows grow, because only aggregates come back);
- the process's resident-set high-water mark (`getrusage` maxrss) before and after the step.  For
  DuckDB it includes DuckDB's own memory, which runs inside the Python process; PostgreSQL's and
  Spark's run in their own processes, whose peak is shown as the database process peak (the
  PostgreSQL backend serving the connection, without parallel workers; Spark's JVM).

The header names the machine (cores, memory, load average at the start and the end) and the
versions (Python, Ibis, DuckDB, PostgreSQL, Spark, Java).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import signal
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from retention.engine.query import Query

TODAY = pd.Timestamp("2024-12-31")
DUCKDB_MEMORY = "8GB"
STEPS = ("metrics month", "metrics quarter", "metrics year", "cohorts month")


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
    con.raw_sql("SET enable_progress_bar = false")
    con.raw_sql(f"SET memory_limit = '{DUCKDB_MEMORY}'")  # a good neighbour on a shared machine: beyond it DuckDB spills to disk
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
    session.table("subscriptions").count()  # fill the cache now, not inside the first measured step
    return ibis.pyspark.connect(session).table("subscriptions")


def _maxrss_mb() -> float:
    """This process's resident-set high-water mark (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _vm_hwm_mb(pid: int | None) -> float | None:
    """Another process's resident-set high-water mark (`VmHWM`), or None when it cannot be read."""
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _java_pid(proc) -> int | None:
    """The JVM's pid: pyspark starts `spark-submit`, which execs java (or runs it as a child)."""
    pid = getattr(proc, "pid", None)
    seen = 0
    while pid is not None and seen < 5:
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() == "java":
                return pid
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return None
        pid = int(children[0]) if children else None
        seen += 1
    return None


def _rows_back(result: object) -> int:
    if isinstance(result, pd.DataFrame):
        return len(result)
    if hasattr(result, "rows"):  # a CohortTable: the cells that came back
        return sum(len(r.values) for r in result.rows)
    return len(result) if hasattr(result, "__len__") else 0


def measure(step: str, fn: Callable[[], object], db_pid: Callable[[], int | None] = lambda: None) -> dict[str, object]:
    """One run of `fn` with tracemalloc on: seconds, rows back, Python heap peak, resident-set peaks."""
    rss_before = _maxrss_mb()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = fn()
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return {
        "step": step,
        "seconds": seconds,
        "rows back": _rows_back(result),
        "python heap peak MB": peak / 1e6,
        "process maxrss MB before": rss_before,
        "process maxrss MB after": _maxrss_mb(),
        "db process peak MB": _vm_hwm_mb(db_pid()),
    }


def _ask(table, step: str):
    from retention.warehouse import IbisEngine

    engine = IbisEngine(table, today=TODAY)  # a fresh engine per step: nothing cached between them
    if step == "cohorts month":
        return engine.cohorts(Query(granularity="month"))
    return engine.metrics(Query(granularity=step.split()[-1]))


def run_engine(backend: str, spans: int, table, steps: Sequence[str], out=print,
               db_pid: Callable[[], int | None] = lambda: None) -> list[dict[str, object]]:
    records = []
    for step in steps:
        record = {"backend": backend, "spans": _label(spans), "customers": _label(max(1, spans // 5)),
                  **measure(step, lambda step=step: _ask(table, step), db_pid)}
        out(_progress(record))
        records.append(record)
    return records


def _progress(r: dict[str, object]) -> str:
    db = r.get("db process peak MB")
    return (f"  {r['backend']} {r['spans']} {r['step']}: {r['seconds']:,.1f} s, {r['rows back']:,} rows back, "
            f"python heap peak {r['python heap peak MB']:,.1f} MB, process maxrss {r['process maxrss MB before']:,.0f}"
            f" → {r['process maxrss MB after']:,.0f} MB" + ("" if db is None or pd.isna(db) else f", db process peak {db:,.0f} MB"))


def tracing_cost(folder: Path, spans: int = 20_000) -> tuple[float, float]:
    """Seconds of one monthly-metrics step on a small DuckDB table, untraced and traced (best of two each)."""
    table = duckdb_spans(folder / "calibrate.duckdb", spans)
    plain, traced = [], []
    for _ in range(2):
        started = time.perf_counter()
        _ask(table, "metrics month")
        plain.append(time.perf_counter() - started)
        tracemalloc.start()
        started = time.perf_counter()
        _ask(table, "metrics month")
        traced.append(time.perf_counter() - started)
        tracemalloc.stop()
    table.get_backend().disconnect()
    return min(plain), min(traced)


def machine() -> dict[str, str]:
    """Cores, memory, load average and the versions of what runs the queries."""
    import duckdb
    import ibis

    info = {
        "cores": str(os.cpu_count()),
        "memory": f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB",
        "load average (1, 5, 15 min)": ", ".join(f"{x:.2f}" for x in os.getloadavg()),
        "python": platform.python_version(),
        "ibis": ibis.__version__,
        "duckdb": f"{duckdb.__version__} (memory_limit {DUCKDB_MEMORY}, threads = cores)",
    }
    return info


def _java_version() -> str:
    try:
        done = subprocess.run(["java", "-version"], capture_output=True, text=True, timeout=60, check=False)
        return (done.stderr or done.stdout).splitlines()[0].strip()
    except (OSError, IndexError, subprocess.SubprocessError):
        return "not found"


def _sizes(text: str) -> list[int]:
    return sorted(parse_count(x) for x in text.split(",") if x.strip())


def table_markdown(frame: pd.DataFrame) -> str:
    """The records as a Markdown table (what the README shows)."""
    def cell(column: str, value: object) -> str:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return "–"
        if column == "seconds":
            return f"{value:,.1f}"
        if column == "python heap peak MB":
            return f"{value:,.2f}"
        if isinstance(value, float):
            return f"{value:,.0f}"
        if isinstance(value, int):
            return f"{value:,}"
        return str(value)

    columns = list(frame.columns)
    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join("---:" if frame[c].dtype.kind in "if" else "---" for c in columns) + "|"]
    for _, row in frame.iterrows():
        lines.append("| " + " | ".join(cell(c, row[c]) for c in columns) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None, out=print) -> int:
    parser = argparse.ArgumentParser(prog="python -m retention.bench --warehouse")
    parser.add_argument("--warehouse", action="store_true")
    parser.add_argument("--duckdb", default="1M,3M,10M", help="DuckDB file sizes in spans (default 1M,3M,10M)")
    parser.add_argument("--postgres", default="1M", help="PostgreSQL sizes (default 1M; empty for none)")
    parser.add_argument("--spark", default="1M", help="Spark local sizes (default 1M; empty for none)")
    parser.add_argument("--steps", default=",".join(STEPS),
                        help=f"steps to run, comma-separated (default all: {', '.join(STEPS)}; PostgreSQL and Spark run"
                             " the monthly ones only)")
    args = parser.parse_args(argv)
    chosen = [x.strip() for x in args.steps.split(",") if x.strip()]
    unknown = sorted(set(chosen) - set(STEPS))
    if unknown:
        parser.error(f"unknown step {', '.join(unknown)}: use {', '.join(STEPS)}")
    # `timeout` and `kill` send SIGTERM: leave through the context managers, so the temporary DuckDB
    # files are deleted and the throwaway PostgreSQL and Spark are stopped, never left running
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    steps = [x for x in STEPS if x in chosen]
    monthly = [x for x in steps if x.endswith("month")]
    records: list[dict[str, object]] = []
    started = time.perf_counter()
    info = machine()
    out("# Warehouse engine at scale\n")
    for key, value in info.items():
        out(f"{key}: {value}")
    with tempfile.TemporaryDirectory(prefix="retention-bench-") as folder:
        plain, traced = tracing_cost(Path(folder))
        out(f"tracemalloc's cost: a 20k-span monthly-metrics step takes {plain:.1f} s untraced, {traced:.1f} s traced "
            f"(+{traced - plain:.1f} s of Python-side work, whatever the size; every step below runs traced)\n")
        for n in _sizes(args.duckdb):
            t0 = time.perf_counter()
            table = duckdb_spans(Path(folder) / f"billing-{n}.duckdb", n)
            out(f"duckdb {_label(n)} spans generated in {time.perf_counter() - t0:,.1f} s")
            records += run_engine("duckdb", n, table, steps, out)
            table.get_backend().disconnect()
            Path(folder, f"billing-{n}.duckdb").unlink(missing_ok=True)
    if args.postgres.strip():
        from retention.warehouse.throwaway import postgres

        with postgres() as url:
            for n in _sizes(args.postgres):
                t0 = time.perf_counter()
                table = postgres_spans(url, n)
                con = table.get_backend()
                info["postgresql"] = str(con.raw_sql("SHOW server_version").fetchone()[0])
                pid = int(con.raw_sql("SELECT pg_backend_pid()").fetchone()[0])
                out(f"postgres {_label(n)} spans generated (with index and ANALYZE) in {time.perf_counter() - t0:,.1f} s")
                records += run_engine("postgres", n, table, monthly, out, lambda pid=pid: pid)
                con.disconnect()
    if args.spark.strip():
        import pyspark

        from retention.warehouse.throwaway import spark

        info["spark"] = pyspark.__version__
        info["java"] = _java_version()
        with spark(partitions=4) as session:
            jvm = _java_pid(getattr(getattr(session.sparkContext, "_gateway", None), "proc", None))
            for n in _sizes(args.spark):
                t0 = time.perf_counter()
                table = spark_spans(session, n)
                out(f"spark {_label(n)} spans generated and cached in {time.perf_counter() - t0:,.1f} s")
                records += run_engine("spark", n, table, monthly, out, lambda: jvm)
    frame = pd.DataFrame(records)
    out("")
    for key in ("postgresql", "spark", "java"):
        if key in info:
            out(f"{key}: {info[key]}")
    out(f"load average at the end (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    out(f"whole run {time.perf_counter() - started:,.0f} s\n")
    if not frame.empty:
        out(table_markdown(frame))
    out("\nspans over spans/5 customers; seconds with tracemalloc on; python heap peak = tracemalloc peak of the step;"
        " process maxrss = this process's resident-set high-water mark (DuckDB runs inside it); db process peak = VmHWM"
        " of the PostgreSQL backend (no parallel workers) or of Spark's JVM")
    return 0
