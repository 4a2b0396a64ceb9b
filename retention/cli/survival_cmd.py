"""`python -m retention survival`: Kaplan–Meier customer lifetime curves of METRICS.md §7.

Prints `{"curves": [{"segment", "timeline", "survival", "lower", "upper",
"median_lifetime_months"}]}`: one curve (segment null) or one per value of `--by`, with the
customers without a value as "(no value)".  Times are months; survival and the 95 % band are
fractions between 0 and 1, as lifelines and R report them.
"""

from __future__ import annotations

import argparse
import sys

from retention.cli.common import (
    CommandError,
    add_data_arguments,
    emit,
    import_files,
    load_from_args,
    query_from_args,
    source_engine,
)


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("survival", help="customer lifetime curves (Kaplan-Meier) with 95%% band and median")
    add_data_arguments(parser)
    parser.add_argument("--by", metavar="COLUMN",
                        help="one curve per value of this customer attribute (needs --customers or --customers-table)")
    parser.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD", help="data as of this day (default: latest date in the data)")
    parser.add_argument("--format", choices=["json"], default="json")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    query = query_from_args(args)
    engine = source_engine(args, by=args.by) if args.source else _file_engine(args)
    curves = engine.survival(query, by=args.by)
    if not curves:
        print(f"warning: no paying customer in a complete month of the data (as of {engine.as_of_for(query).date()})",
              file=sys.stderr)
    payload = {
        "curves": [
            {
                "segment": c.segment,
                "timeline": c.timeline,
                "survival": c.survival,
                "lower": c.lower,
                "upper": c.upper,
                "median_lifetime_months": c.median_lifetime_months,
            }
            for c in curves
        ]
    }
    emit(payload, None, args.format, files=import_files(args))
    return 0


def _file_engine(args: argparse.Namespace):
    """The NumPy engine of --subscriptions/--customers or --dataset, with --by checked against its customers."""
    if args.by is not None and not args.customers and not args.dataset:
        raise CommandError("--by needs --customers FILE with that attribute column")
    data = load_from_args(args)
    if args.by is not None and data.customers is None:
        raise CommandError(f"--by needs customers with that attribute column; dataset '{args.dataset}' has none")
    if args.by is not None and args.by not in data.customers.table.columns:
        raise CommandError(
            f"{data.customers.file}, row 1: no column '{args.by}' to split by; columns: "
            + ", ".join(c for c in data.customers.table.columns if c != "customer_id")
        )
    return data.engine()
