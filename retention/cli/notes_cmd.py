"""`python -m retention notes add|list|remove`: dated notes on a saved dataset's charts.

    notes add --dataset NAME --date 2024-03-01 "price change"
    notes list --dataset NAME
    notes remove --dataset NAME ID
"""

from __future__ import annotations

import argparse

from retention.cli.common import CommandError, add_workspace_arguments, emit, frame_records, workspace_from_args


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("notes", help="dated notes drawn on a dataset's charts: add, list, remove")
    actions = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
    add = actions.add_parser("add", help="add a note")
    add_workspace_arguments(add)
    add.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    add.add_argument("--author", default="", metavar="NAME")
    add.add_argument("text", metavar="TEXT")
    add.set_defaults(run=_add)
    listing = actions.add_parser("list", help="the dataset's notes")
    add_workspace_arguments(listing)
    listing.add_argument("--format", choices=["table", "csv", "json"], default="table")
    listing.set_defaults(run=_list)
    remove = actions.add_parser("remove", help="remove a note by its id")
    add_workspace_arguments(remove)
    remove.add_argument("id", type=int)
    remove.set_defaults(run=_remove)


def _name(args: argparse.Namespace) -> str:
    if not getattr(args, "dataset", None):
        raise CommandError("notes need --dataset NAME (a dataset saved in the workspace)")
    return args.dataset


def _add(args: argparse.Namespace) -> int:
    from retention.notes import add_note

    workspace = workspace_from_args(args)
    workspace.version(_name(args))  # the dataset must exist
    try:
        note = add_note(workspace, args.dataset, args.date, args.text, args.author)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    print(f"note {note.id}: {note.day.date().isoformat()} {note.text}")
    return 0


def _list(args: argparse.Namespace) -> int:
    from retention.notes import list_notes, notes_frame

    frame = notes_frame(list_notes(workspace_from_args(args), _name(args)))
    emit({"notes": frame_records(frame)}, frame, args.format)
    return 0


def _remove(args: argparse.Namespace) -> int:
    from retention.notes import remove_note

    if not remove_note(workspace_from_args(args), _name(args), args.id):
        raise CommandError(f"no note {args.id} for dataset {args.dataset}")
    print(f"note {args.id} removed")
    return 0
