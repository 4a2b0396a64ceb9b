"""`python -m retention feedback`: NPS and CSAT per period, and churn by NPS group (METRICS.md §9)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from retention.cli.common import CommandError, add_workspace_arguments, emit, frame_records, import_files, parse_as_of, warn_rejects
from retention.cli.engagement_cmd import load_subscriptions_arg, mapping_from_args, saved_table
from retention.dataset import read_bytes
from retention.engine.feedback import GROUPS, churn_by_group, feedback_table
from retention.importing.surveys import load_surveys


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("feedback", help="NPS and CSAT per period, churn by NPS group")
    parser.add_argument("--surveys", metavar="FILE", help="survey answers CSV (customer, date, score), or --dataset NAME")
    parser.add_argument("--subscriptions", metavar="FILE", help="subscriptions CSV, for churn by NPS group")
    parser.add_argument("--period", choices=["month", "quarter", "year"], default="month")
    parser.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD",
                        help="answers up to this day (default: the latest answer); subscriptions as of this day")
    parser.add_argument(
        "--map", action="append", default=[], metavar="CANONICAL=SOURCE",
        help="use column SOURCE of the surveys file for field CANONICAL, e.g. --map score=rating",
    )
    parser.add_argument("--rejects", metavar="FILE", help="write rejected rows with their reasons to this CSV")
    parser.add_argument("--format", choices=["table", "csv", "json"], default="table")
    add_workspace_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    mapping = mapping_from_args(args)
    as_of = parse_as_of(args.as_of)
    subscriptions, surveys = saved_table(args, "surveys", "--surveys")
    if surveys is None:
        surveys = load_surveys(read_bytes(args.surveys), Path(args.surveys).name, mapping)
        subscriptions = load_subscriptions_arg(args.subscriptions)
    used = [surveys, *(subscriptions.results() if subscriptions else [])]
    warn_rejects(subscriptions.results() if args.dataset else used, args.rejects)
    try:
        table = feedback_table(surveys.table, args.period, as_of)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    if subscriptions is not None:
        groups = churn_by_group(surveys.table, subscriptions.model(as_of))
    else:
        groups = {group: {"responses": None, "churned": None, "churn_rate": None} for group in GROUPS}
    if table.empty:
        print("warning: no survey answers on or before the as-of date", file=sys.stderr)
    if args.format == "table":
        for group, numbers in groups.items():
            rate = numbers["churn_rate"]
            print(f"{group}: " + ("churn unknown (add --subscriptions FILE)" if numbers["responses"] is None else
                                  f"{numbers['churned']} of {numbers['responses']} churned within 3 months"
                                  + ("" if rate is None else f" ({rate:.1f} %)")))
    emit({"rows": frame_records(table), "churn_by_group": groups}, table, args.format, files=import_files(args, used))
    return 0
