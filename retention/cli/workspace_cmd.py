"""`python -m retention workspace …`: keep datasets in the workspace and refresh them without a browser.

    workspace import --dataset NAME [--replace|--append] FILES…   a new version from export files
    workspace list                                                 datasets with their current version
    workspace versions NAME                                        every version: when, who, files, rows
    workspace rollback NAME VERSION                                make an older version current again
    workspace export NAME DIR                                      a version back to CSV files
    workspace delete NAME --yes                                    a dataset with all its versions

Positional FILES are told apart by their names (subscriptions/invoices, customers, events, surveys),
then by their headers; `--subscriptions FILE` and the like say it outright.  Every command waits
for another process writing to the workspace (`--wait`, default 60 s) and says so on stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from retention.cli.common import CommandError, add_workspace_arguments, emit, workspace_from_args
from retention.dataset import read_bytes
from retention.importing.mapping import parse_map_args
from retention.importing.presets import BY_KEY
from retention.importing.status import parse_status_args
from retention.workspace import KINDS, WorkspaceError

if TYPE_CHECKING:
    from retention.workspace.store import VersionInfo

NAME_HINTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("churn_reasons", ("churn", "cancel", "reason")),
    ("events", ("event", "usage", "activity", "tracking")),
    ("surveys", ("survey", "nps", "csat", "feedback")),
    ("subscriptions", ("subscription", "subs", "invoice", "billing", "mrr", "revenue", "line_item", "line-item")),
    ("customers", ("customer", "account", "compan", "client")),
)


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("workspace", help="saved datasets: import, list, versions, rollback, export, delete")
    actions = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))

    imp = actions.add_parser("import", help="save export files as a new version of a dataset")
    imp.add_argument("--dataset", required=True, metavar="NAME", help="dataset to create or add a version to")
    mode = imp.add_mutually_exclusive_group()
    mode.add_argument("--replace", dest="mode", action="store_const", const="replace",
                      help="the new version holds exactly these files (default)")
    mode.add_argument("--append", dest="mode", action="store_const", const="append",
                      help="add a newer export: new rows added, changed rows replaced, identical rows not doubled")
    imp.set_defaults(mode="replace")
    imp.add_argument("files", nargs="*", metavar="FILE", help="export files; kinds told apart by name, then header")
    for kind in KINDS:
        imp.add_argument(f"--{kind.replace('_', '-')}", dest=kind, metavar="FILE",
                         help=f"the {kind.replace('_', ' ')} file, when its name does not say so")
    imp.add_argument("--map", action="append", default=[], metavar="CANONICAL=SOURCE",
                     help="use column SOURCE for field CANONICAL (repeatable), e.g. --map mrr=monthly_amount")
    imp.add_argument("--preset", choices=["auto", *BY_KEY], default="auto", help="export format (default: detected)")
    imp.add_argument("--sheet", metavar="NAME", help="Excel sheet to read (default: the first)")
    imp.add_argument("--date-order", dest="date_order", choices=["dmy", "mdy"], help="order of slash dates when the file cannot tell")
    imp.add_argument("--currency", metavar="CODE", help="reporting currency; amounts in others are converted with --rates")
    imp.add_argument("--rates", metavar="FILE", help="CSV with columns currency,rate_to_reporting")
    imp.add_argument("--status", action="append", default=[], metavar="STATUS=ACTION",
                     help="how a billing status counts: count, trial, churn or exclude (repeatable)")
    imp.add_argument("--note", default="", metavar="TEXT", help="a note kept with the version")
    imp.add_argument("--rejects", metavar="FILE", help="also write the rejected rows with their reasons to this CSV")
    imp.add_argument("--format", choices=["table", "json"], default="table")
    add_workspace_arguments(imp, dataset=False)
    imp.set_defaults(run=run_import)

    listing = actions.add_parser("list", help="datasets with their current version")
    listing.add_argument("--format", choices=["table", "csv", "json"], default="table")
    add_workspace_arguments(listing, dataset=False)
    listing.set_defaults(run=run_list)

    versions = actions.add_parser("versions", help="every version of a dataset")
    versions.add_argument("name", metavar="NAME")
    versions.add_argument("--format", choices=["table", "csv", "json"], default="table")
    add_workspace_arguments(versions, dataset=False)
    versions.set_defaults(run=run_versions)

    rollback = actions.add_parser("rollback", help="make an older version current again (as a new version)")
    rollback.add_argument("name", metavar="NAME")
    rollback.add_argument("version", type=int, metavar="VERSION")
    rollback.add_argument("--format", choices=["table", "json"], default="table")
    add_workspace_arguments(rollback, dataset=False)
    rollback.set_defaults(run=run_rollback)

    export = actions.add_parser("export", help="write a version back to CSV files")
    export.add_argument("name", metavar="NAME")
    export.add_argument("folder", metavar="DIR")
    export.add_argument("--version", dest="dataset_version", type=int, metavar="N", help="version to export (default: current)")
    add_workspace_arguments(export, dataset=False)
    export.set_defaults(run=run_export)

    delete = actions.add_parser("delete", help="delete a dataset and all its versions")
    delete.add_argument("name", metavar="NAME")
    delete.add_argument("--yes", action="store_true", help="do not ask (needed when not on a terminal)")
    add_workspace_arguments(delete, dataset=False)
    delete.set_defaults(run=run_delete)


# ---- import -----------------------------------------------------------------------------------


def kind_of(path: str) -> str:
    """Which table a positional file holds: from its name, else from its header."""
    name = Path(path).name.lower()
    for kind, hints in NAME_HINTS:
        if any(hint in name for hint in hints):
            return kind
    from retention.importing import suggest_mapping
    from retention.importing.kinds import MESSAGES, header_kind
    from retention.importing.reader import read_table

    columns = [str(c) for c in read_table(read_bytes(path), Path(path).name).columns]
    kind = header_kind(columns)
    if kind in ("events", "surveys", "churn_reasons"):
        return kind
    if kind == "plans":
        raise CommandError(f"{path}: {MESSAGES['plans']}")
    _preset, mapping = suggest_mapping(columns, Path(path).name, kind="subscriptions")
    if "start_date" in mapping and ({"mrr", "amount"} & set(mapping)):
        return "subscriptions"
    if "customer_id" in mapping:
        return "customers"
    raise CommandError(f"{path}: cannot tell which table this file holds; name it with --subscriptions, --customers, "
                       "--events, --surveys or --churn-reasons FILE")


def files_by_kind(args: argparse.Namespace) -> dict[str, str]:
    found: dict[str, str] = {kind: getattr(args, kind) for kind in KINDS if getattr(args, kind)}
    for path in args.files:
        kind = kind_of(path)
        if kind in found:
            flag = "--" + kind.replace("_", "-")
            raise CommandError(f"{path} and {found[kind]} both look like {kind}; import one, or name them with {flag} FILE")
        found[kind] = path
    if not found:
        raise CommandError("give the files to import, e.g. workspace import --dataset NAME subscriptions.csv customers.csv")
    return found


def _progress(args: argparse.Namespace):
    """Named steps on a terminal; quiet when piped or with --format json."""
    if args.format == "json" or not sys.stderr.isatty():
        return None
    labels = {"commit": "saving the version"}

    def step(name: str) -> None:
        text = labels.get(name, name if name.startswith("reading") else f"writing {name}")
        print(f"… {text}", file=sys.stderr, flush=True)

    return step


def run_import(args: argparse.Namespace) -> int:
    files = files_by_kind(args)
    try:
        options = {
            "mapping": parse_map_args(args.map),
            "status_policy": parse_status_args(args.status or []),
        }
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    if args.rates and not args.currency:
        raise CommandError("--rates needs --currency CODE, the reporting currency the rates convert to")
    options.update({"preset": None if args.preset == "auto" else args.preset, "date_order": args.date_order,
                    "sheet": args.sheet, "reporting_currency": args.currency, "rates": args.rates})
    workspace = workspace_from_args(args)
    try:
        result = workspace.import_files(
            args.dataset, subscriptions=files.get("subscriptions"), customers=files.get("customers"),
            events=files.get("events"), surveys=files.get("surveys"), churn_reasons=files.get("churn_reasons"),
            mode=args.mode, note=args.note,
            progress=_progress(args), **options)
    except WorkspaceError as exc:
        raise CommandError(f"{exc.message()}; the workspace was not changed") from exc
    info = result.version
    if args.rejects:
        from retention.exports import neutralise_frame

        neutralise_frame(workspace.rejects(info.dataset, info.version)).to_csv(args.rejects, index=False)
    if args.format == "json":
        from retention.workspace import version_dict

        emit({**version_dict(info), "unchanged": result.unchanged, "workspace": str(workspace.folder)}, None, "json")
        return 0
    if result.unchanged:
        print(f"{info.dataset}: nothing new in these files; version {info.version} stays current")
        return 0
    print(f"{info.dataset}: version {info.version} saved ({info.action}) in {workspace.folder}")
    for part in info.imported:
        line = f"  {part.kind}: {part.file}: {part.rows_read} read, {part.rows_used} used, {part.rows_rejected} rejected"
        if part.added is not None:
            line += f"; {part.added} new or changed, {part.identical} already stored, {part.replaced} older rows replaced"
        print(line + f"; {part.rows} rows in the dataset")
        if part.rows_rejected and not args.rejects:
            print(f"warning: {part.file}: {part.rows_rejected} of {part.rows_read} rows rejected (write them with --rejects FILE)",
                  file=sys.stderr)
    return 0


# ---- reading and managing -------------------------------------------------------------------


def _when(stamp: pd.Timestamp) -> str:
    return stamp.strftime("%Y-%m-%d %H:%M UTC")


def run_list(args: argparse.Namespace) -> int:
    workspace = workspace_from_args(args)
    datasets = workspace.datasets()
    rows = [{"dataset": d.name, "version": d.current_version, "versions": d.versions, "updated": _when(d.updated_at),
             "subscriptions": d.subscriptions, "customers": d.customers} for d in datasets]
    if not rows and args.format == "table":
        print(f"no datasets in {workspace.folder}; add one with: python -m retention workspace import --dataset NAME FILES…")
        return 0
    frame = pd.DataFrame(rows, columns=["dataset", "version", "versions", "updated", "subscriptions", "customers"])
    emit({"workspace": str(workspace.folder), "datasets": rows}, frame, args.format)
    return 0


def _version_row(info: VersionInfo) -> dict[str, object]:
    return {"version": info.version, "current": "*" if info.current else "", "created": _when(info.created_at),
            "by": info.created_by, "action": info.action, "based_on": info.based_on,
            "files": ", ".join(info.files), "read": info.rows_read, "used": info.rows_used, "rejected": info.rows_rejected}


def run_versions(args: argparse.Namespace) -> int:
    try:
        versions = workspace_from_args(args).versions(args.name)
    except WorkspaceError as exc:
        raise CommandError(exc.message()) from exc
    from retention.workspace import version_dict

    frame = pd.DataFrame([_version_row(v) for v in versions])
    if args.format == "csv":
        frame["current"] = frame["current"].eq("*")
    emit({"dataset": args.name, "versions": [version_dict(v) for v in versions]}, frame, args.format)
    return 0


def run_rollback(args: argparse.Namespace) -> int:
    try:
        info = workspace_from_args(args).rollback(args.name, args.version)
    except WorkspaceError as exc:
        raise CommandError(f"{exc.message()}; the workspace was not changed") from exc
    if args.format == "json":
        from retention.workspace import version_dict

        emit(version_dict(info), None, "json")
    else:
        print(f"{info.dataset}: version {info.based_on} is current again, as version {info.version}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    try:
        written = workspace_from_args(args).export(args.name, args.folder, args.dataset_version)
    except WorkspaceError as exc:
        raise CommandError(exc.message()) from exc
    except OSError as exc:
        raise CommandError(f"{args.folder}: cannot write there ({exc.strerror})") from exc
    for path in written:
        print(path)
    return 0


def run_delete(args: argparse.Namespace) -> int:
    workspace = workspace_from_args(args)
    if not args.yes:
        if not sys.stdin.isatty():
            raise CommandError(f"deleting '{args.name}' removes every version; add --yes to confirm")
        answer = input(f"Delete dataset '{args.name}' and all its versions from {workspace.folder}? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing deleted")
            return 1
    try:
        count = workspace.delete(args.name)
    except WorkspaceError as exc:
        raise CommandError(exc.message()) from exc
    print(f"{args.name}: deleted with its {count} version(s)")
    return 0
