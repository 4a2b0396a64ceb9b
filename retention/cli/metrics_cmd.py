"""`python -m retention metrics`: the per-period metrics table of METRICS.md §3–§5."""

from __future__ import annotations

import argparse
import sys

from retention.cli.common import (
    CommandError,
    add_data_arguments,
    add_period_arguments,
    check_window,
    emit,
    engine_from_args,
    frame_records,
    import_files,
    parse_segment,
    query_from_args,
)


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("metrics", help="retention and MRR metrics per period")
    add_data_arguments(parser)
    add_period_arguments(parser)
    parser.add_argument("--segment", metavar="COLUMN=VALUE", help="only customers whose attribute COLUMN is VALUE")
    parser.add_argument("--gross-margin", type=float, default=100.0, metavar="PCT", help="gross margin for LTV, percent (default 100)")
    parser.add_argument("--format", choices=["table", "csv", "json"], default="table")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if not 0 < args.gross_margin <= 100:
        raise CommandError("--gross-margin is a percentage between 0 and 100")
    segment = parse_segment(args.segment)
    check_window(args)
    engine = engine_from_args(args, segment)
    query = query_from_args(args, segment)
    try:
        table = engine.metrics(query)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    if table.empty:
        print(f"warning: no complete {args.period} in the data and window (as of {table.as_of.date()})", file=sys.stderr)
    emit({"rows": frame_records(table)}, table, args.format, files=import_files(args))
    return 0
