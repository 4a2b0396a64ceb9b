"""What every CLI command shares: data arguments, output formats, and clean errors.

Errors end the command with exit status 2 and one `error:` line on stderr that names the file,
row and column; never a traceback.  Rejected rows are counted in a `warning:` line.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from retention.cli.errors import CommandError
from retention.dataset import Dataset, load_dataset
from retention.engine.query import Query
from retention.exports import neutralise_frame
from retention.i18n import ENGLISH, located
from retention.importing import LoadResult
from retention.importing.ledger import LedgerSettings
from retention.importing.mapping import parse_map_args
from retention.importing.presets import BY_KEY
from retention.importing.status import parse_status_args
from retention.importing.summary import describe, text_lines


def add_workspace_arguments(parser: argparse.ArgumentParser, dataset: bool = True) -> None:
    """`--workspace PATH` (and `--dataset NAME`): every command that reads data can read a saved dataset."""
    parser.add_argument("--workspace", metavar="PATH",
                        help="workspace folder (default: $RETENTION_WORKSPACE, [workspace] path in .streamlit/secrets.toml, "
                             "or ./workspace)")
    if dataset:
        parser.add_argument("--dataset", metavar="NAME", help="read this saved dataset of the workspace instead of files")
        parser.add_argument("--dataset-version", dest="dataset_version", type=int, metavar="N",
                            help="read version N of --dataset (default: its current version)")
    parser.add_argument("--wait", type=float, default=60.0, metavar="SECONDS",
                        help="how long to wait while another process writes to the workspace (default 60)")


def workspace_from_args(args: argparse.Namespace):
    """The workspace of `--workspace` (or the configured one); a wait for another writer is said on stderr."""
    from retention.workspace import Workspace, workspace_path

    def waiting(holder: str) -> None:
        print(f"waiting up to {args.wait:g} s: {holder} is writing to the workspace", file=sys.stderr, flush=True)

    try:
        path = Path(args.workspace) if getattr(args, "workspace", None) else workspace_path()
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    return Workspace(path, wait=getattr(args, "wait", 60.0), on_wait=waiting)


def dataset_from_workspace(args: argparse.Namespace) -> Dataset | None:
    """The saved dataset named by `--dataset` (None without it); the one shared path of every command."""
    name = getattr(args, "dataset", None)
    if not name:
        return None
    from retention.workspace import WorkspaceError

    try:
        return workspace_from_args(args).load(name, getattr(args, "dataset_version", None))
    except WorkspaceError as exc:
        raise CommandError(f"{exc.message()} (workspace {workspace_from_args(args).folder})") from exc


def add_data_arguments(parser: argparse.ArgumentParser, customers: bool = True) -> None:
    parser.add_argument("--subscriptions", metavar="FILE",
                        help="subscriptions or invoices: CSV, .csv.gz, .zip or .xlsx (or --dataset NAME, or --source URL)")
    if customers:
        parser.add_argument("--customers", metavar="FILE", help="customers CSV with attribute columns")
    parser.add_argument("--source", metavar="URL",
                        help="run inside a database instead of reading files: duckdb:///billing.duckdb, "
                             "postgres://user@host:5432/db, pyspark://local, or any Ibis URL")
    parser.add_argument("--table", metavar="NAME", help="with --source: the subscriptions table")
    parser.add_argument("--customers-table", dest="customers_table", metavar="NAME",
                        help="with --source: the customers table with attribute columns")
    parser.add_argument(
        "--map", action="append", default=[], metavar="CANONICAL=SOURCE",
        help="use column SOURCE for field CANONICAL (repeatable), e.g. --map mrr=monthly_amount",
    )
    parser.add_argument("--rejects", metavar="FILE", help="write rejected rows with their reasons to this CSV")
    parser.add_argument("--preset", choices=["auto", *BY_KEY, "stripe-sync"], default="auto",
                        help="export format (default: detected from the header); with --source, stripe-sync reads "
                             "the Stripe sync schema (subscriptions, subscription_items, prices)")
    parser.add_argument("--sheet", metavar="NAME", help="Excel sheet to read (default: the first)")
    parser.add_argument("--date-order", dest="date_order", choices=["dmy", "mdy"],
                        help="order of slash dates such as 03/04/2024 when the file cannot tell")
    parser.add_argument("--currency", metavar="CODE", help="reporting currency; amounts in others are converted with --rates")
    parser.add_argument("--rates", metavar="FILE", help="CSV with columns currency,rate_to_reporting")
    parser.add_argument("--grace-days", dest="grace_days", type=int, default=14, metavar="DAYS",
                        help="payment history files: days a payment may be late before the customer counts as churned (default 14)")
    parser.add_argument(
        "--status", action="append", default=[], metavar="STATUS=ACTION",
        help="how a billing status counts: count, trial, churn or exclude (repeatable), e.g. --status past_due=exclude",
    )
    add_workspace_arguments(parser)


def add_period_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--period", choices=["month", "quarter", "year"], default="month")
    parser.add_argument("--from", dest="start", metavar="P", help="first period shown: 2019-01, 2019-Q1 or 2019")
    parser.add_argument("--to", dest="end", metavar="P", help="last period shown")
    parser.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD", help="data as of this day (default: latest date in the data)")


def check_window(args: argparse.Namespace) -> None:
    """Fail early, naming the option, on an unreadable --from/--to."""
    from retention.periods import parse_period

    for option, text in (("--from", getattr(args, "start", None)), ("--to", getattr(args, "end", None))):
        if text:
            try:
                parse_period(text, getattr(args, "period", "month"))
            except ValueError as exc:
                raise CommandError(f"{option}: {exc}") from exc


def parse_as_of(text: str | None) -> pd.Timestamp | None:
    if text is None:
        return None
    try:
        return pd.Timestamp(text).normalize()
    except (ValueError, TypeError) as exc:
        raise CommandError(f"--as-of {text!r} is not a date; write YYYY-MM-DD") from exc


def parse_segment(text: str | None) -> tuple[str, str] | None:
    """`--segment COLUMN=VALUE` as a pair, checked before any file is read."""
    if not text:
        return None
    column, sep, value = text.partition("=")
    if not sep or not column.strip():
        raise CommandError(f"--segment takes COLUMN=VALUE, got {text!r}")
    return column.strip(), value.strip()


def check_segment(data: Dataset, segment: tuple[str, str] | None) -> None:
    """A segment needs a customers file with its column; say which columns there are when it has not."""
    if segment is None:
        return
    if data.customers is None:
        raise CommandError("--segment needs --customers FILE with that attribute column")
    if segment[0] not in data.customers.table.columns:
        raise CommandError(
            f"{data.customers.file}, row 1: no column '{segment[0]}' to segment on; columns: "
            + ", ".join(col for col in data.customers.table.columns if col != "customer_id")
        )


def query_from_args(args: argparse.Namespace, segment: tuple[str, str] | None = None) -> Query:
    """The engine query of a command's period, window, as-of and margin flags (flags it lacks take defaults)."""
    try:
        return Query(
            granularity=getattr(args, "period", None) or "month", start=getattr(args, "start", None),
            end=getattr(args, "end", None), segment=segment, as_of=parse_as_of(getattr(args, "as_of", None)),
            gross_margin=getattr(args, "gross_margin", None) or 100.0,
        )
    except ValueError as exc:
        raise CommandError(str(exc)) from exc


def engine_from_args(args: argparse.Namespace, segment: tuple[str, str] | None = None):
    """The engine a command runs on: the warehouse engine for --source, else the files' NumPy engine."""
    if getattr(args, "source", None):
        return source_engine(args, segment)
    data = load_from_args(args)
    check_segment(data, segment)
    return data.engine()


def source_engine(args: argparse.Namespace, segment: tuple[str, str] | None = None, *, by: str | None = None):
    """`IbisEngine` over --source/--table/--customers-table with the same --map and --status rules as files.

    Rejected rows are counted by reason in the database (a `warning:` line); the URL is shown only
    without its credentials.  `segment` (--segment) and `by` (--by) must name a column of the customers
    table.
    """
    from retention.importing.status import StatusPolicy
    from retention.warehouse import IbisEngine
    from retention.warehouse.canonical import SourceError, intake
    from retention.warehouse.sources import connect, redact

    if getattr(args, "subscriptions", None):
        raise CommandError("use either --subscriptions FILE or --source URL, not both")
    try:
        mapping = parse_map_args(args.map)
        policy = StatusPolicy().with_overrides(parse_status_args(getattr(args, "status", []) or []))
        con = connect(args.source)
        preset = "stripe-sync" if getattr(args, "preset", None) == "stripe-sync" else None
        got = intake(con, table=args.table, customers_table=getattr(args, "customers_table", None), preset=preset,
                     mapping=mapping, policy=policy)
    except (SourceError, ValueError) as exc:
        raise CommandError(str(exc)) from exc
    except Exception as exc:  # noqa: BLE001 - a driver error must not print the URL's password
        raise CommandError(f"cannot read {redact(args.source)}: {type(exc).__name__}") from None
    for option, column in (("--segment", segment[0] if segment else None), ("--by", by)):
        if column is None:
            continue
        if got.customers is None:
            raise CommandError(f"{option} needs --customers-table NAME with that attribute column")
        if column not in got.customers.columns:
            raise CommandError(f"table {args.customers_table}: no column '{column}' to "
                               f"{'segment on' if option == '--segment' else 'split by'}; columns: "
                               + ", ".join(c for c in got.customers.columns if c != "customer_id"))
    if got.rejected and getattr(args, "format", None) != "json":
        reasons = "; ".join(f"{n} {reason}" for reason, n in sorted(got.rejected.items()))
        print(f"warning: {redact(args.source)}: {sum(got.rejected.values())} of {got.rows_read} rows rejected ({reasons})",
              file=sys.stderr)
    args.import_files = [{"source": redact(args.source), "table": args.table or "stripe-sync", "rows_read": got.rows_read,
                          "rows_used": got.rows_used, "rows_rejected": sum(got.rejected.values()), "rejected": got.rejected}]
    return IbisEngine(got.subscriptions, got.customers)


FILE_OPTIONS = ("subscriptions", "customers", "map", "preset", "sheet", "date_order", "currency", "rates", "status")


def load_from_args(args: argparse.Namespace) -> Dataset:
    """The data of a command: the saved `--dataset`, or the files of `--subscriptions` (and `--customers`)."""
    if getattr(args, "dataset", None):
        given = [f"--{o.replace('_', '-')}" for o in FILE_OPTIONS if getattr(args, o, None) not in (None, [], "auto")]
        if given:
            raise CommandError(f"--dataset reads a saved dataset; leave out {', '.join(given)} (or leave out --dataset)")
        data = dataset_from_workspace(args)
        report_rejects(data, getattr(args, "rejects", None))
        report_import(data, args)
        return data
    if not getattr(args, "subscriptions", None):
        if getattr(args, "source", None):
            raise CommandError("this command reads files: give --subscriptions FILE (or --dataset NAME)")
        raise CommandError("give --subscriptions FILE, or --dataset NAME to read a dataset saved in the workspace")
    try:
        mapping = parse_map_args(args.map)
        statuses = parse_status_args(getattr(args, "status", []) or [])
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    if not 0 <= getattr(args, "grace_days", 14) <= 366:
        raise CommandError("--grace-days takes a number of days between 0 and 366")
    if getattr(args, "rates", None) and not getattr(args, "currency", None):
        raise CommandError("--rates needs --currency CODE, the reporting currency the rates convert to")
    data = load_dataset(
        args.subscriptions, getattr(args, "customers", None), mapping,
        preset=getattr(args, "preset", None), date_order=getattr(args, "date_order", None),
        sheet=getattr(args, "sheet", None), reporting_currency=getattr(args, "currency", None),
        rates=getattr(args, "rates", None), status_policy=statuses,
        ledger_settings=LedgerSettings(grace_days=getattr(args, "grace_days", 14)),
    )
    report_rejects(data, getattr(args, "rejects", None))
    report_import(data, args)
    return data


def report_import(data: Dataset, args: argparse.Namespace) -> None:
    """Say how each file was read: `info:` lines on stderr (stdout stays the result alone); with
    `--format json` stderr stays quiet and the same facts go into the JSON as `files`."""
    args.import_files = [describe(result) for result in data.results()]
    if getattr(args, "format", None) == "json":
        return
    for result in data.results():
        for line in text_lines(result):
            print(f"info: {line}", file=sys.stderr)


def warn_rejects(results: list[LoadResult], rejects_path: str | None) -> None:
    """One `warning:` line per file with rejected rows; the rows themselves go to --rejects FILE.

    Notes on how a file was read (mixed encodings, duplicate column names) and rows used but worth
    checking (dates years before the rest) get their own lines, with the rows named.
    """
    for result in results:
        for template, params in result.notes:
            print(f"warning: {located(ENGLISH, result.file, None, None, template, params)}", file=sys.stderr)
        flagged = result.flagged
        if flagged is not None and len(flagged):
            for reason, group in flagged.groupby("reason", sort=False):
                rows = ", ".join(str(r) for r in group["row"].head(10)) + (" …" if len(group) > 10 else "")
                print(f"warning: {result.file}: {len(group)} rows used but to check: {reason} (rows {rows})", file=sys.stderr)
        if result.rows_rejected:
            print(
                f"warning: {result.file}: {result.rows_rejected} of {result.rows_read} rows rejected"
                + ("" if rejects_path else " (write them with --rejects FILE)"),
                file=sys.stderr,
            )
    if rejects_path:
        parts = [r.rejects for r in results if len(r.rejects)]
        frame = pd.concat(parts, ignore_index=True) if parts else results[0].rejects.iloc[0:0]
        neutralise_frame(frame).to_csv(rejects_path, index=False)


def report_rejects(data: Dataset, rejects_path: str | None) -> None:
    warn_rejects(data.results(), rejects_path)


def clean(value: Any) -> Any:
    """JSON-ready value: NaN and inf become null, numpy scalars become Python numbers."""
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return None if math.isnan(value) or math.isinf(value) else round(value, 10)
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [clean(v) for v in value]
    if value is pd.NaT or value is None:
        return None
    return value


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [clean(dict(zip(frame.columns, row, strict=False))) for row in frame.itertuples(index=False, name=None)]


def import_files(args: argparse.Namespace, results: list[LoadResult] | None = None) -> list[dict[str, Any]] | None:
    """How each input file (or source table) was read: every command's JSON carries it (detected preset,
    mapping, rows read / used / rejected), so a cron job can check an import without parsing stderr.
    `results`: the files a command read itself (events, surveys); else what `load_from_args` recorded."""
    if results is not None:
        return [describe(result) for result in results]
    return getattr(args, "import_files", None)


def emit(payload: dict[str, Any], frame: pd.DataFrame | None, fmt: str, files: list[dict[str, Any]] | None = None) -> None:
    """Print `payload` as JSON, or `frame` as CSV or an aligned table.  `files`: how each input file
    was read (`report_import`), added to the JSON."""
    if fmt == "json":
        if files is not None:
            payload = {**payload, "files": files}
        json.dump(clean(payload), sys.stdout, indent=2, allow_nan=False)
        sys.stdout.write("\n")
    elif fmt == "csv":
        assert frame is not None
        neutralise_frame(frame).to_csv(sys.stdout, index=False)
    else:
        assert frame is not None
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 250):
            print(frame.round(2).to_string(index=False, na_rep="—"))


def write_path(path: str) -> Path:
    target = Path(path)
    if target.exists() and target.is_dir():
        raise CommandError(f"{path} is a folder; give a file name")
    return target
