"""`python -m retention segments --by COLUMN`: the headline metrics of every value of a customer attribute.

The Segments page's table: one row per value (customers without one are "(no value)", so the rows add
up to the whole), with the window's last period (customers, CRR, logo churn, NRR, GRR, MRR, ARPA, quick
ratio, lifetime, LTV), the share of MRR, the window's pooled rates (`*_avg`) and `small` for segments
under 30 customers at the start of the last period.  Each row is the engine's `metrics` with that
segment picked, so it equals `metrics --segment COLUMN=VALUE`.  Works on files, a saved dataset or
`--source`.
"""

from __future__ import annotations

import argparse
import sys

from retention.cli.common import (
    CommandError,
    add_data_arguments,
    add_period_arguments,
    check_window,
    emit,
    frame_records,
    import_files,
    load_from_args,
    query_from_args,
    source_engine,
)


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("segments", help="headline metrics per value of a customer attribute (plan, country…)")
    add_data_arguments(parser)
    add_period_arguments(parser)
    parser.add_argument("--by", metavar="COLUMN", required=True, help="the customer attribute to compare, e.g. plan")
    parser.add_argument("--gross-margin", dest="gross_margin", type=float, default=100.0, metavar="PCT",
                        help="gross margin for LTV, percent (default 100)")
    parser.add_argument("--format", choices=["table", "csv", "json"], default="table")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if not 0 < args.gross_margin <= 100:
        raise CommandError("--gross-margin is a percentage between 0 and 100")
    check_window(args)
    engine = source_engine(args, by=args.by) if args.source else _file_engine(args)
    query = query_from_args(args)
    try:
        table = engine.compare_segments(query, args.by)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    if table.empty:
        print(f"warning: no complete {args.period} in the data and window (as of {engine.as_of_for(query).date()})",
              file=sys.stderr)
    emit({"by": args.by, "segments": frame_records(table)}, table, args.format, files=import_files(args))
    return 0


def _file_engine(args: argparse.Namespace):
    """The NumPy engine of the files or saved dataset, with --by checked against its customers."""
    data = load_from_args(args)
    if data.customers is None:
        raise CommandError("--by needs customers with that attribute column: give --customers FILE")
    if args.by not in data.customers.table.columns:
        raise CommandError(f"{data.customers.file}, row 1: no column '{args.by}' to compare; columns: "
                           + ", ".join(c for c in data.customers.table.columns if c != "customer_id"))
    return data.engine()
