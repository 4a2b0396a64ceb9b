"""`python -m retention customers`: the customers behind a number, or one customer's story.

    --period 2024-07 [--movement churned]     who moved in July 2024 (all movements without --movement)
    --cohort 2024-01 --age 3                  the January cohort's members at age 3, paying or not
    --segment plan=Pro [--period 2024-07]     the segment's customers at a period (default: the last one)
    --customer C00042                         one customer: subscriptions, MRR per month, movements

The granularity follows the label written (2024-07 a month, 2024-Q3 a quarter, 2024 a year).
Names from the customers file (`name`, `company`, `email`…) stand beside the ids.  JSON prints
`{"period", "movement", "cohort", "age", "segment", "customers": [...]}`; CSV and table one row per
customer (CSV cells that look like formulas are neutralised).
"""

from __future__ import annotations

import argparse
import re
import sys

from retention.cli.common import (
    CommandError,
    add_data_arguments,
    emit,
    engine_from_args,
    frame_records,
    import_files,
    parse_as_of,
    parse_segment,
)
from retention.engine import MOVEMENTS, Query
from retention.periods import Granularity


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("customers", help="the customers behind a movement, cohort cell or segment")
    add_data_arguments(parser)
    parser.add_argument("--period", metavar="P", help="the period: 2024-07, 2024-Q3 or 2024")
    parser.add_argument("--movement", choices=list(MOVEMENTS), help="only this MRR movement (default: all)")
    parser.add_argument("--cohort", metavar="K", help="cohort period (with --age): 2024-01, 2024-Q1 or 2024")
    parser.add_argument("--age", type=int, metavar="k", help="periods after the cohort's first (0 = its start)")
    parser.add_argument("--segment", metavar="COLUMN=VALUE", help="only customers whose attribute COLUMN is VALUE")
    parser.add_argument("--customer", metavar="ID", help="one customer's subscriptions, MRR per month and movements")
    parser.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD", help="data as of this day (default: latest date in the data)")
    parser.add_argument("--format", choices=["table", "csv", "json"], default="table",
                        help="table (default), csv or json")
    parser.set_defaults(run=run)


def granularity_of(text: str, option: str) -> Granularity:
    """month, quarter or year, read off how a period label is written."""
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{1,2}", text):
        return "month"
    if re.fullmatch(r"\d{4}-?[Qq][1-4]", text):
        return "quarter"
    if re.fullmatch(r"\d{4}", text):
        return "year"
    raise CommandError(f"{option} {text!r}: write a period as 2024-07, 2024-Q3 or 2024")


def _check(args: argparse.Namespace) -> None:
    if (args.cohort is None) != (args.age is None):
        raise CommandError("--cohort and --age go together: --cohort 2024-01 --age 3")
    if args.customer is not None:
        return
    if args.cohort is None and args.period is None and args.segment is None:
        raise CommandError("say which customers: --period P [--movement M], --cohort K --age k, --segment COLUMN=VALUE "
                           "or --customer ID")
    if args.cohort is not None and args.movement is not None:
        raise CommandError("--movement applies to --period, not to a cohort cell")
    if args.movement is not None and args.period is None:
        raise CommandError("--movement needs --period P")


def run(args: argparse.Namespace) -> int:
    _check(args)
    segment = parse_segment(args.segment)
    label = args.cohort or args.period
    granularity = granularity_of(label, "--cohort" if args.cohort else "--period") if label else "month"
    as_of = parse_as_of(args.as_of)
    engine = engine_from_args(args, segment)
    if args.customer is not None:
        return _one(engine, args.customer, as_of, args.format)
    query = Query(granularity=granularity, as_of=as_of)
    try:
        if args.cohort is not None:
            drill = engine.cohort_customers(query.but(segment=segment), cohort=args.cohort, age=args.age)
        elif segment is not None and args.movement is None:
            drill = engine.segment_members(query, segment=segment, period=args.period)
        else:
            drill = engine.movement_customers(query.but(segment=segment), period=args.period, movement=args.movement)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    frame = drill.frame
    if frame.empty:
        print(f"warning: no customer in this list (as of {engine.as_of_for(query).date()})", file=sys.stderr)
    payload = {
        "period": drill.period, "movement": drill.movement, "cohort": drill.cohort, "age": drill.age,
        "segment": f"{segment[0]}={segment[1]}" if segment else None, "customers": frame_records(frame),
    }
    emit(payload, frame, args.format, files=import_files(args))
    return 0


def _one(engine, customer_id: str, as_of, fmt: str) -> int:
    try:
        story = engine.customer(customer_id, as_of=as_of)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    spans = story.spans.copy()
    for column in spans.columns:
        if str(spans[column].dtype).startswith("datetime"):
            spans[column] = spans[column].dt.strftime("%Y-%m-%d")
    payload = {
        "customer_id": story.customer_id, "customer_name": story.name, "active": story.active,
        "attributes": {k: (None if v is None or v != v else str(v)) for k, v in story.attributes.items()},
        "subscriptions": frame_records(spans), "movements": frame_records(story.movements),
        "mrr": frame_records(story.mrr),
    }
    if fmt == "json":
        emit(payload, None, fmt)
    elif fmt == "csv":
        emit(payload, story.mrr.merge(story.movements, on="period", how="left").fillna({"movement": ""}), fmt)
    else:
        title = story.customer_id + (f" · {story.name}" if story.name else "")
        print(title)
        for key, value in payload["attributes"].items():
            print(f"  {key}: {value if value is not None else '—'}")
        print("\nSubscriptions")
        emit({}, spans, "table")
        print("\nMovements")
        emit({}, story.movements, "table")
    return 0
