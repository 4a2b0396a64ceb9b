"""The performance benchmark: `python -m retention.bench` (or `./dev bench`).

It proves, on the machine it runs on, that the dashboard stays interactive at 200,000 customers
and 10 million usage events, and that the engine beats what an analyst would write by hand:

1. companies of about 1k, 20k and 200k customers over 48 months from the project's own generator,
   their subscriptions and customers written as CSV bytes in memory;
2. every stage, timed (median of `--repeat` runs) with rows per second and peak memory: read and
   validate the CSVs, build the snapshot matrix, metrics at month, quarter and year, cohorts,
   survival, engagement on 1M and 10M events;
3. the same per-period numbers from plain pandas and from DuckDB SQL, checked equal to the
   product's on the run's data, with product time / baseline time;
4. the app's interactive path (period or segment change on a cached model) and the targets.

Output is Markdown tables on stdout (progress goes to stderr), ready for the README.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from retention.bench import baselines
from retention.bench.floors import Floor, arrow_text_read, floors_table, import_seconds, median_seconds
from retention.bench.process import ProcessComparison, process_table, whole_process
from retention.bench.report import (
    HEADER,
    Comparison,
    Target,
    comparison_table,
    machine,
    machine_text,
    stage_table,
    targets_table,
)
from retention.bench.stages import (
    EVENT_READ_MAX,
    SIZES,
    Company,
    Timing,
    canonical_events,
    count_label,
    make_company,
    make_events,
    measure,
    memory_method,
    parse_count,
    process_peak_mb,
    to_csv_bytes,
)
from retention.engine.cohorts import cohort_table
from retention.engine.engagement import engagement_summary
from retention.engine.metrics import Query, compute_metrics
from retention.engine.snapshots import SnapshotModel, build_model
from retention.engine.survival import survival_curves
from retention.importing import load_customers, load_subscriptions
from retention.importing.events import load_events
from retention.periods import GRANULARITIES

READ_TARGET_ROWS = 500_000
READ_TARGET_S = 0.5
EVENTS_READ_TARGET_ROWS = 1_000_000
EVENTS_READ_TARGET_S = 0.6
PROCESS_TARGET_RATIO = 0.5
HUGE_MEMORY_TARGET_MB = 4096
NO_BASELINES = frozenset({"xlarge"})
"""Sizes measured for time and memory only: the baselines' per-period loops would run for many minutes."""
ANALYTICS_TARGET_S = 1.5
ENGAGEMENT_TARGET_S = 2.0
ENGAGEMENT_TARGET_EVENTS = 10_000_000
MEMORY_TARGET_MB = 2048
APP_TARGET_S = 0.3
WORKSPACE_LOAD_TARGET_S = 1.0
"""Issue 12: a saved 200,000-customer dataset opens "in well under a second"."""
FULL = {"sizes": "small,medium,large", "events": "1M,10M", "repeat": 3, "whole": True}
QUICK = {"sizes": "tiny", "events": "20k", "repeat": 1, "whole": False}


def _fresh(model: SnapshotModel) -> SnapshotModel:
    """The same matrix without cached changes, so a stage pays what a first page view pays."""
    return SnapshotModel(model.customer_ids, model.months, model.mrr, model.spans, model.as_of)


def _built(model: SnapshotModel) -> SnapshotModel:
    """The model with its full customers × months matrix built (a model builds it on first use)."""
    assert model.mrr is not None
    return model


def _mb(frame: pd.DataFrame) -> float:
    """Megabytes a table holds, each Python object counted once.

    `memory_usage(deep=True)` adds an object's size for every row that points at it, so a plan, currency or
    country column (a handful of strings shared by millions of rows) counted 60–70 bytes a row instead of the
    8-byte pointer it is; here a column of objects is its pointers plus its distinct objects."""
    total = int(frame.index.memory_usage(deep=True))
    for _, values in frame.items():
        if values.dtype == object:
            cells = values.to_numpy()
            distinct = {id(cell): cell for cell in cells}
            total += cells.nbytes + sum(sys.getsizeof(cell) for cell in distinct.values())
        else:
            total += int(values.memory_usage(deep=True, index=False))
    return total / 1024 ** 2


class Run:
    """One benchmark run: collects timings, comparisons and notes while it goes."""

    def __init__(self, repeat: int, log: Callable[[str], None]) -> None:
        self.repeat = repeat
        self.log = log
        self.timings: dict[str, list[Timing]] = {}
        self.comparisons: list[Comparison] = []
        self.notes: list[str] = []
        self.disagreements: list[str] = []
        self.inputs_mb: dict[str, float] = {}
        self.app_seconds: dict[str, float] = {}
        self.workspace_mb: dict[str, float] = {}
        self.processes: list[ProcessComparison] = []
        self.floors: list[Floor] = []

    def time(self, size: str, stage: str, rows: int, unit: str, fn, setup=None, repeat: int | None = None):
        self.log(f"  {size}: {stage} …")
        result, timing = measure(stage, size, rows, unit, fn, self.repeat if repeat is None else repeat, setup)
        self.timings.setdefault(size, []).append(timing)
        return result, timing

    def subscriptions(self, company: Company, whole: bool = False) -> SnapshotModel:
        """Every stage on one company; `whole` adds the whole-process comparison (done at one size only)."""
        size = company.size
        loaded, _ = self.time(size, "read + validate subscriptions CSV", company.subscription_rows, "rows",
                              lambda: load_subscriptions(company.subscriptions_csv, "subscriptions.csv"))
        if loaded.rows_rejected:
            self.notes.append(f"{size}: {loaded.rows_rejected} generated subscription rows were rejected")
        if size not in NO_BASELINES:
            self.floor_read(company.subscriptions_csv, company.subscription_rows, READ_TARGET_ROWS, READ_TARGET_S,
                            "subscriptions", f"read + validate {READ_TARGET_ROWS:,} subscription rows ≤ {READ_TARGET_S} s")
        customers, _ = self.time(size, "read + validate customers CSV", company.customers, "rows",
                                 lambda: load_customers(company.customers_csv, "customers.csv"))
        table = loaded.table
        as_of = baselines.data_as_of(table)
        model, _ = self.time(size, "build snapshots", len(table), "spans", lambda: _built(build_model(table, as_of)))
        cells = int(model.mrr.size)
        self.time(size, "metrics month + quarter + year", cells, "cells",
                  lambda m: [compute_metrics(m, Query(granularity=g)) for g in GRANULARITIES], setup=lambda: _fresh(model))
        self.time(size, "cohorts (month, customers and revenue)", cells, "cells",
                  lambda: [cohort_table(model, "month", basis) for basis in ("customers", "revenue")])
        self.time(size, "survival (Kaplan–Meier)", len(model.customer_ids), "customers", lambda: survival_curves(model))
        self.inputs_mb[size] = _mb(table) + _mb(customers.table) + model.mrr.nbytes / 1024 ** 2
        if size not in NO_BASELINES:
            self.workspace(company, loaded, customers)
        if size in NO_BASELINES:
            self.notes.append(f"{size}: product stages only (no baselines, no app timing): memory and time at scale")
            return model
        self.shared(company, table, as_of)
        self.app(company, model, customers.table)
        if whole:
            proc = whole_process(size, company.subscription_rows, company.subscriptions_csv, as_of, self.repeat, self.log)
            self.processes.append(proc)
            self.log("  Python start + `import pandas` alone …")
            seconds = import_seconds("pandas", self.repeat)
            self.floors.append(Floor("Python start + `import pandas`, fresh process", seconds,
                                     f"the DuckDB script took {proc.duckdb:.2f} s whole", PROCESS_TARGET_RATIO * proc.duckdb,
                                     f"CLI ≤ {PROCESS_TARGET_RATIO} × DuckDB script = {PROCESS_TARGET_RATIO * proc.duckdb:.2f} s"))
        return model

    def floor_read(self, csv: bytes, rows: int, target_rows: int, target_s: float, what: str, target: str) -> None:
        """Arrow's reader alone on the same file, scaled to the target's rows (`floors`): the room left for the product."""
        self.log(f"  Arrow's CSV reader alone on the {what} file …")
        seconds = median_seconds(arrow_text_read(csv), self.repeat)
        self.floors = [f for f in self.floors if not f.what.startswith(f"Arrow's CSV reader, {what}")]
        self.floors.append(Floor(f"Arrow's CSV reader, {what} into text columns (nothing cleaned or typed)",
                                 seconds * target_rows / rows, f"{seconds:.3f} s for {rows:,} rows, scaled", target_s, target))

    def workspace(self, company: Company, loaded, customers) -> None:
        """The workspace store (issue 12): save the imported tables, the file's size, and open the saved dataset.

        Each save goes to a new empty workspace (a second save of the same data writes nothing); the
        load is what a session pays when it opens a saved dataset: DuckDB → Arrow → pandas, then the
        snapshot matrix every page starts from.
        """
        import shutil
        import tempfile

        from retention.dataset import Dataset
        from retention.workspace import Workspace

        size = company.size
        data = Dataset(loaded, customers, {})
        rows = len(loaded.table) + len(customers.table)
        folders: list[str] = []

        def fresh() -> Workspace:
            folders.append(tempfile.mkdtemp(prefix="retention-bench-workspace-"))
            return Workspace(folders[-1])

        try:
            self.time(size, "workspace: save subscriptions + customers (one version)", rows, "rows",
                      lambda ws: ws.save("bench", data), setup=fresh)
            store = Workspace(folders[-1])
            files = sum(f.stat().st_size for f in Path(folders[-1]).rglob("*") if f.is_file())
            self.workspace_mb[size] = files / 1e6
            csv_mb = (len(company.subscriptions_csv) + len(company.customers_csv)) / 1e6
            self.notes.append(f"{size}: the saved dataset takes {files / 1e6:.1f} MB on disk (workspace folder) for "
                              f"{rows:,} rows; the CSV files were {csv_mb:.1f} MB")
            self.time(size, "workspace: load the saved dataset (DuckDB → Arrow → pandas)", rows, "rows",
                      lambda: store.load("bench"))
            self.time(size, "workspace: load + build snapshots (ready for every page)", rows, "rows",
                      lambda: _built(store.load("bench").model()))
        finally:
            for folder in folders:
                shutil.rmtree(folder, ignore_errors=True)

    def shared(self, company: Company, table: pd.DataFrame, as_of: pd.Timestamp) -> None:
        """Product vs pandas vs DuckDB per granularity, each from the loaded subscriptions table."""
        size = company.size
        totals = [0.0, 0.0, 0.0]
        answers: dict[str, list[tuple[str, pd.DataFrame]]] = {}
        for g in GRANULARITIES:
            stage = f"metrics {g} (incl. snapshots)"
            product, p = measure(stage, size, len(table), "spans", lambda g=g: baselines.product_metrics(table, g, as_of), self.repeat)
            self.log(f"  {size}: {stage}: pandas and DuckDB baselines …")
            by_pandas, bp = measure(stage, size, len(table), "spans", lambda g=g: baselines.pandas_metrics(table, g, as_of), self.repeat)
            by_duckdb, bd = measure(stage, size, len(table), "spans", lambda g=g: baselines.duckdb_metrics(table, g, as_of), self.repeat)
            checks = []
            answers[g] = [("pandas", by_pandas), ("DuckDB", by_duckdb)]
            for name, frame in answers[g]:
                try:
                    baselines.check_agree(product, frame, name)
                    checks.append("agree")
                except AssertionError as exc:
                    self.disagreements.append(f"{size} {g}: {exc}")
                    checks.append("DIFFERS")
            self.comparisons.append(Comparison(stage, size, p.seconds, bp.seconds, bd.seconds, *checks))
            totals = [a + b for a, b in zip(totals, (p.seconds, bp.seconds, bd.seconds), strict=True)]
        # A session builds the matrix once and answers every granularity from it; the baselines
        # have nothing to share between granularities, so theirs is the sum of the three.
        every, both = measure("metrics month + quarter + year", size, len(table), "spans",
                              lambda: baselines.product_all(table, as_of), self.repeat)
        checks = {"pandas": "agree", "DuckDB": "agree"}
        for g in GRANULARITIES:
            for name, frame in answers[g]:
                try:
                    baselines.check_agree(every[g], frame, name)
                except AssertionError as exc:
                    self.disagreements.append(f"{size} all granularities, {g}: {exc}")
                    checks[name] = "DIFFERS"
        self.comparisons.append(Comparison("metrics month + quarter + year (one snapshot build)", size, both.seconds,
                                           totals[1], totals[2], checks["pandas"], checks["DuckDB"]))

    def app(self, company: Company, model: SnapshotModel, customers: pd.DataFrame) -> None:
        """What `ui.state.history` costs when the user changes period or segment on a cached model."""
        plan = str(customers["plan"].mode().iloc[0]) if "plan" in customers else None
        warm = _fresh(model)
        for g in GRANULARITIES:  # the first page view fills the model's caches
            compute_metrics(warm, Query(granularity=g))
        worst = 0.0
        for g in GRANULARITIES:
            for segment in (None, ("plan", plan) if plan else None):
                def ask(g=g, s=segment):
                    return compute_metrics(warm, Query(granularity=g, segment=s), customers)

                _, t = measure("app", company.size, 0, "", ask, self.repeat)
                worst = max(worst, t.seconds)
        self.app_seconds[company.size] = worst

    def events(self, company: Company, rows: int) -> None:
        size = f"events {count_label(rows)}"
        self.log(f"  generating {count_label(rows)} events for the {company.size} company …")
        log, seconds = make_events(company, rows)
        self.notes.append(f"{size}: generated {len(log):,} events for {company.customers:,} customers in {seconds:.1f} s")
        if rows <= EVENT_READ_MAX:
            csv = to_csv_bytes(log)
            self.time(size, "read + validate events CSV", len(log), "rows", lambda: load_events(csv, "events.csv"))
            self.floor_read(csv, len(log), EVENTS_READ_TARGET_ROWS, EVENTS_READ_TARGET_S, "events",
                            f"read + validate {EVENTS_READ_TARGET_ROWS:,} usage events ≤ {EVENTS_READ_TARGET_S} s")
            del csv
        else:
            self.notes.append(f"{size}: not read from CSV (about {len(log) * 62 / 1e6:,.0f} MB of text, above the app's "
                              f"200 MB upload limit); engagement starts from the typed table")
        events = canonical_events(log)
        del log
        self.inputs_mb[size] = _mb(events)
        self.time(size, "engagement cohorts + day-7, drop-off, week-8 (week)", len(events), "events",
                  lambda: engagement_summary(events, "week"))


def _stage(run: Run, size: str, name: str) -> Timing | None:
    return next((t for t in run.timings.get(size, []) if t.stage == name), None)


def evaluate(run: Run, largest: str, events_label: str | None) -> list[Target]:
    """The issue's targets, checked at the largest size of the run (scaled to the target's row count)."""
    targets = []
    reference = next((s for s in reversed(run.timings) if s not in NO_BASELINES and not s.startswith("events")), largest)
    read = _stage(run, reference, "read + validate subscriptions CSV")
    if read:
        per = read.seconds * READ_TARGET_ROWS / read.rows
        targets.append(Target(f"read + validate {READ_TARGET_ROWS:,} subscription rows", f"{READ_TARGET_S} s",
                              f"{per:.2f} s ({read.seconds:.2f} s for {read.rows:,} rows, scaled)", per <= READ_TARGET_S))
    events_read = next((t for label, ts in run.timings.items() if label.startswith("events") for t in ts
                        if t.stage == "read + validate events CSV"), None)
    if events_read:
        per = events_read.seconds * EVENTS_READ_TARGET_ROWS / events_read.rows
        targets.append(Target(f"read + validate {EVENTS_READ_TARGET_ROWS:,} usage events", f"{EVENTS_READ_TARGET_S} s",
                              f"{per:.2f} s ({events_read.seconds:.2f} s for {events_read.rows:,} rows, scaled)",
                              per <= EVENTS_READ_TARGET_S))
    for proc in run.processes:
        ratio = proc.cli / proc.duckdb
        targets.append(Target(f"whole process: CLI `metrics` on {proc.rows:,} subscription rows from CSV vs a DuckDB SQL script",
                              f"≤ {PROCESS_TARGET_RATIO} × DuckDB",
                              f"{ratio:.2f} × ({proc.cli:.2f} s vs {proc.duckdb:.2f} s, median wall)",
                              ratio <= PROCESS_TARGET_RATIO))
    parts = [_stage(run, largest, n) for n in ("metrics month + quarter + year", "cohorts (month, customers and revenue)",
                                              "survival (Kaplan–Meier)")]
    build = _stage(run, largest, "build snapshots")
    if all(parts) and build:
        analytics = sum(p.seconds for p in parts)
        total = analytics + build.seconds
        targets.append(Target("snapshots + metrics at 3 granularities + cohorts + survival", f"{ANALYTICS_TARGET_S} s",
                              f"{total:.2f} s ({analytics:.2f} s without building snapshots)", total <= ANALYTICS_TARGET_S))
    if events_label:
        eng = _stage(run, events_label, "engagement cohorts + day-7, drop-off, week-8 (week)")
        if eng:
            per = eng.seconds * ENGAGEMENT_TARGET_EVENTS / eng.rows
            scaled = "" if eng.rows >= ENGAGEMENT_TARGET_EVENTS * 0.99 else f", scaled from {eng.rows:,} events"
            targets.append(Target("engagement cohorts on 10M events", f"{ENGAGEMENT_TARGET_S} s", f"{per:.2f} s{scaled}",
                                  per <= ENGAGEMENT_TARGET_S))
    stages = run.timings.get(largest, []) + (run.timings.get(events_label, []) if events_label else [])
    if stages:
        held = run.inputs_mb.get(largest, 0.0) + (run.inputs_mb.get(events_label, 0.0) if events_label else 0.0)
        worst = max(stages, key=lambda t: t.peak_mb)
        footprint = held + worst.peak_mb
        limit = HUGE_MEMORY_TARGET_MB if largest == "xlarge" else MEMORY_TARGET_MB
        targets.append(Target(f"product memory at {largest} (tables held + largest stage peak)", f"{limit:,} MB",
                              f"{footprint:,.0f} MB ({held:,.0f} held + {worst.peak_mb:,.0f} in {worst.stage})",
                              footprint <= limit))
    opened = _stage(run, reference, "workspace: load + build snapshots (ready for every page)")
    if opened:
        customers = SIZES.get(reference, 0)
        targets.append(Target(f"open a saved {customers:,}-customer dataset (load + snapshots)", f"{WORKSPACE_LOAD_TARGET_S} s",
                              f"{opened.seconds:.2f} s", opened.seconds <= WORKSPACE_LOAD_TARGET_S))
    shared = [c for c in run.comparisons if c.size == reference]
    if shared:
        worst_ratio = max(max(c.product / c.pandas, c.product / c.duckdb) for c in shared)
        targets.append(Target("product faster than pandas and DuckDB at every shared stage", "ratio < 1",
                              f"worst product / baseline = {worst_ratio:.2f}", worst_ratio < 1))
    if reference in run.app_seconds:
        app = run.app_seconds[reference]
        targets.append(Target("app: change period or segment (cached model)", f"{APP_TARGET_S} s", f"{app:.3f} s (slowest case)",
                              app <= APP_TARGET_S))
    return targets


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m retention.bench", description=__doc__.splitlines()[0])
    choices = ", ".join(f"{k} ({v:,} customers)" for k, v in SIZES.items())
    parser.add_argument("--sizes", default=None, help=f"comma-separated sizes (default small,medium,large; xlarge is "
                        f"2,000,000 customers × 60 months for the memory target, run it alone): {choices}")
    parser.add_argument("--repeat", type=int, default=None, help="runs per stage; the table shows the median (default 3)")
    parser.add_argument("--events", default=None, help="usage-log sizes (default 1M,10M; empty for none)")
    parser.add_argument("--whole", dest="whole", action=argparse.BooleanOptionalAction, default=None,
                        help="compare whole processes: CLI metrics vs a DuckDB SQL script, in subprocesses (default: on, "
                        "off with --quick)")
    parser.add_argument("--quick", action="store_true",
                        help=f"a smoke run in seconds: --sizes {QUICK['sizes']} --events {QUICK['events']} --repeat {QUICK['repeat']}")
    args = parser.parse_args(argv)
    defaults = QUICK if args.quick else FULL
    for name, value in defaults.items():  # options given explicitly win over --quick
        if getattr(args, name) is None:
            setattr(args, name, value)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown or not sizes:
        parser.error(f"unknown size {', '.join(unknown) or '(none)'}: use {', '.join(SIZES)}")
    try:
        args.event_rows = [parse_count(e) for e in args.events.split(",") if e.strip()]
    except ValueError:
        parser.error(f"cannot read --events {args.events!r}: write e.g. 1M,10M or 500k")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    args.size_list = sorted(sizes, key=SIZES.get)
    return args


def main(argv: Sequence[str] | None = None, out=None, log=None) -> int:
    """Run the benchmark; 0 when every baseline agrees with the product, 1 otherwise (targets only reported).

    `--warehouse` runs the warehouse engine's scale benchmark instead (`retention.bench.warehouse`); `--memory [--mb 50,200]`
    the peak memory of reading one large CSV upload (`retention.bench.upload_memory`).
    """
    given = list(sys.argv[1:] if argv is None else argv)
    if "--memory" in given:
        from retention.bench.upload_memory import main as memory_main

        return memory_main(given, out=out or (lambda text: print(text, flush=True)))
    if "--warehouse" in given:
        from retention.bench.warehouse import main as warehouse_main

        return warehouse_main(given, out=out or (lambda text: print(text, flush=True)))
    args = parse_args(argv)
    out = out or (lambda text: print(text, flush=True))
    log = log or (lambda text: print(text, file=sys.stderr, flush=True))
    started = time.perf_counter()
    run = Run(args.repeat, log)
    out("# Retention dashboard benchmark\n")
    out(machine_text(machine()) + "\n")
    largest: Company | None = None
    compared = [s for s in args.size_list if s not in NO_BASELINES]
    for size in args.size_list:
        log(f"generating the {size} company ({SIZES[size]:,} customers) …")
        largest = None  # one company in memory at a time; the largest one's billing feeds the usage logs
        company = make_company(size)
        run.notes.append(f"{size}: {company.customers:,} customers × {company.months} months, {company.subscription_rows:,} "
                         f"subscription rows ({len(company.subscriptions_csv) / 1e6:.1f} MB CSV), generated in "
                         f"{company.generate_seconds:.1f} s")
        run.subscriptions(company, whole=args.whole and bool(compared) and size == compared[-1])
        largest = company
    assert largest is not None
    events_label = None
    for rows in args.event_rows:
        run.events(largest, rows)
        events_label = f"events {count_label(rows)}"

    for size in [*args.size_list, *(f"events {count_label(r)}" for r in args.event_rows)]:
        out(f"## {size}\n")
        out(stage_table(run.timings.get(size, [])) + "\n")
    out("## Product vs baselines (shared stages; below 1 = the product is faster)\n")
    out(comparison_table(run.comparisons) + "\n")
    if run.processes:
        out("## Whole process (what the user waits for: start, read, compute, print; alternating runs, medians)\n")
        out(process_table(run.processes) + "\n")
    out(f"## Targets ({largest.size} size{', ' + events_label if events_label else ''}, median of {args.repeat})\n")
    out(targets_table(evaluate(run, largest.size, events_label)) + "\n")
    if run.floors:
        out("## Floors (the libraries alone, same run: what a target leaves for the product's own work)\n")
        out(floors_table(run.floors) + "\n")
    out("Notes:\n")
    for note in run.notes:
        out(f"- {note}")
    out(f"- rows/s: subscription or event rows for reading, spans for snapshots, customer-month cells for metrics "
        f"and cohorts; seconds are medians of {args.repeat} run(s)")
    out(f"- peak MB: {memory_method()}; process peak {process_peak_mb():,.0f} MB (includes data generation and the baselines)")
    if run.app_seconds:
        out("- app: slowest `compute_metrics` for a new period or segment on a cached model (what `ui.state.history` runs): "
            + ", ".join(f"{k} {v:.3f} s" for k, v in run.app_seconds.items()))
    out(f"- whole run: {time.perf_counter() - started:.0f} s")
    for problem in run.disagreements:
        out(f"- DISAGREEMENT: {problem}")
    return 1 if run.disagreements else 0


__all__ = ["HEADER", "Run", "evaluate", "main", "parse_args"]
