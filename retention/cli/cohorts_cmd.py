"""`python -m retention cohorts`: the cohort retention triangle of METRICS.md §6.

JSON prints `{"rows": [{"cohort", "size", "values", "percent"}]}` with ragged rows (cells after
the window's end are absent, not 0); revenue cells are in currency units.  CSV prints one line
per cell (cohort, size, customers, age, value, percent) for spreadsheets and pivot tables; the
table format prints the triangle of percentages.
"""

from __future__ import annotations

import argparse
import sys

from retention.cli.common import (
    CommandError,
    add_data_arguments,
    add_period_arguments,
    emit,
    engine_from_args,
    import_files,
    parse_segment,
    query_from_args,
)
from retention.engine.cohorts import BASES


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("cohorts", help="cohort retention triangle (customers or revenue)")
    add_data_arguments(parser)
    add_period_arguments(parser)
    parser.add_argument("--basis", choices=list(BASES), default="customers",
                        help="count customers or sum their MRR in each cell (default customers)")
    parser.add_argument("--segment", metavar="COLUMN=VALUE", help="only customers whose attribute COLUMN is VALUE")
    parser.add_argument("--format", choices=["json", "csv", "table"], default="json",
                        help="json (default), csv (one line per cell) or table (percentages)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    segment = parse_segment(args.segment)
    query = query_from_args(args, segment)
    engine = engine_from_args(args, segment)
    try:
        table = engine.cohorts(query, basis=args.basis)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    if not table.rows:
        print(f"warning: no cohort in the data and window (as of {engine.as_of_for(query).date()})", file=sys.stderr)
    payload = {
        "rows": [
            {"cohort": r.label, "size": r.size, "values": r.values, "percent": r.percent} for r in table.rows
        ]
    }
    frame = table.long() if args.format == "csv" else table.wide("percent")
    if args.format == "table":
        frame.columns = [str(c) for c in frame.columns]
    emit(payload, frame, args.format, files=import_files(args))
    return 0
