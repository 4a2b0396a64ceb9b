"""`python -m retention engagement`: engagement cohorts and headline usage retention (METRICS.md §8)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from retention.cli.common import (
    CommandError,
    add_workspace_arguments,
    dataset_from_workspace,
    emit,
    import_files,
    parse_as_of,
    warn_rejects,
)
from retention.dataset import Dataset, load_dataset, read_bytes
from retention.engine.engagement import INTERVALS, build_activity, cohorts_frame, engagement_summary
from retention.importing import LoadResult
from retention.importing.events import load_events
from retention.importing.mapping import parse_map_args


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("engagement", help="usage cohorts, day-7 and week-8 retention, 7-day drop-off")
    parser.add_argument("--events", metavar="FILE", help="usage events CSV (timestamp and user or customer id), or --dataset NAME")
    parser.add_argument("--subscriptions", metavar="FILE", help="subscriptions CSV, for events keyed by subscription id")
    parser.add_argument("--interval", choices=list(INTERVALS), default="day", help="cohort and period length (default day)")
    parser.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD", help="count events up to this day (default: the latest event's day)")
    parser.add_argument("--tz", metavar="ZONE", help="time zone for calendar days, e.g. Europe/Amsterdam (default UTC)")
    parser.add_argument(
        "--map", action="append", default=[], metavar="CANONICAL=SOURCE",
        help="use column SOURCE of the events file for field CANONICAL, e.g. --map timestamp=occurred",
    )
    parser.add_argument("--rejects", metavar="FILE", help="write rejected rows with their reasons to this CSV")
    parser.add_argument("--format", choices=["table", "csv", "json"], default="table")
    add_workspace_arguments(parser)
    parser.set_defaults(run=run)


def mapping_from_args(args: argparse.Namespace) -> dict[str, str]:
    try:
        return parse_map_args(args.map)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc


def load_subscriptions_arg(path: str | None) -> Dataset | None:
    return load_dataset(path) if path else None


def saved_table(args: argparse.Namespace, kind: str, option: str) -> tuple[Dataset | None, LoadResult | None]:
    """With --dataset: the saved dataset and its events or surveys (an error naming what is missing)."""
    if not args.dataset:
        if not getattr(args, kind):
            raise CommandError(f"give {option} FILE, or --dataset NAME to read a dataset saved in the workspace")
        return None, None
    given = [o for o in (option, "--subscriptions", "--map") if getattr(args, o.lstrip("-").replace("-", "_"), None)]
    if given:
        raise CommandError(f"--dataset reads a saved dataset; leave out {', '.join(given)}")
    data = dataset_from_workspace(args)
    if kind not in data.extra:
        raise CommandError(f"dataset '{args.dataset}' has no {kind}; add them with: python -m retention workspace import "
                           f"--dataset '{args.dataset}' --append --{kind} FILE")
    return data, data.extra[kind]


def run(args: argparse.Namespace) -> int:
    mapping = mapping_from_args(args)
    subscriptions, events = saved_table(args, "events", "--events")
    if events is None:
        subscriptions = load_subscriptions_arg(args.subscriptions)
        events = load_events(
            read_bytes(args.events), Path(args.events).name, mapping,
            subscriptions.subscriptions.table if subscriptions is not None else None,
        )
    used = [*(subscriptions.results() if subscriptions else []), events]
    warn_rejects(subscriptions.results() if args.dataset else used, args.rejects)
    try:
        activity = build_activity(events.table, parse_as_of(args.as_of), args.tz)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    summary = engagement_summary(activity, args.interval)
    if activity.actors == 0:
        print(f"warning: no events on or before {summary['as_of']}", file=sys.stderr)
    payload = {key: summary[key] for key in ("cohorts", "day_7_retention", "drop_off_7d", "week_8_retention")}
    frame = cohorts_frame(summary["cohorts"]).reset_index()
    frame.columns = [str(c) for c in frame.columns]
    if args.format == "table":
        for key, name in (("day_7_retention", "day-7 retention"), ("drop_off_7d", "7-day drop-off"),
                          ("week_8_retention", "week-8 retention")):
            value = summary[key]
            print(f"{name}: " + ("—" if value is None else f"{value:.1f} %"))
        print(f"as of {summary['as_of']}, {summary['actors']} actors; cohort retention in % by {args.interval}:")
    emit(payload, frame, args.format, files=import_files(args, used))
    return 0
