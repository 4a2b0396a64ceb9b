"""`python -m retention users add|remove|list`: who may sign in to a team workspace, and with which role.

Passwords are read from the terminal without echo (or one line of stdin with `--password-stdin`,
for scripts) and stored only as Argon2id hashes in the workspace.
"""

from __future__ import annotations

import argparse
import getpass
import sys

import pandas as pd

from retention.cli.common import CommandError, add_workspace_arguments, emit, workspace_from_args
from retention.workspace import WorkspaceError


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("users", help="users of a team workspace: add, remove, list")
    actions = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
    add = actions.add_parser("add", help="add a user, or set a user's password and role")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", choices=["viewer", "editor"], default="viewer",
                     help="viewer reads; editor also imports, rolls back and deletes (default viewer)")
    add.add_argument("--password-stdin", dest="password_stdin", action="store_true",
                     help="read the password from the first line of stdin instead of asking")
    add_workspace_arguments(add, dataset=False)
    add.set_defaults(run=run_add)
    remove = actions.add_parser("remove", help="remove a user")
    remove.add_argument("name", metavar="NAME")
    add_workspace_arguments(remove, dataset=False)
    remove.set_defaults(run=run_remove)
    listing = actions.add_parser("list", help="users and their roles (never their passwords)")
    listing.add_argument("--format", choices=["table", "csv", "json"], default="table")
    add_workspace_arguments(listing, dataset=False)
    listing.set_defaults(run=run_list)


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise CommandError("no terminal to ask for the password; pipe it with --password-stdin")
    first = getpass.getpass(f"Password for {args.name}: ")
    if getpass.getpass("Again: ") != first:
        raise CommandError("the two passwords differ; nothing was changed")
    return first


def run_add(args: argparse.Namespace) -> int:
    from retention.access import add_user

    password = _password(args)
    try:
        new = add_user(workspace_from_args(args), args.name, password, args.role)
    except WorkspaceError as exc:
        raise CommandError(exc.message()) from exc
    print(f"{args.name}: {'added' if new else 'updated'} as {args.role}")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    from retention.access import remove_user

    try:
        remove_user(workspace_from_args(args), args.name)
    except WorkspaceError as exc:
        raise CommandError(exc.message()) from exc
    print(f"{args.name}: removed")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from retention.access import list_users

    users = list_users(workspace_from_args(args))
    rows = [{"name": u.name, "role": u.role, "added": u.created_at.strftime("%Y-%m-%d %H:%M UTC") if u.created_at else ""}
            for u in users]
    if not rows and args.format == "table":
        print("no users yet; add one with: python -m retention users add NAME --role editor")
        return 0
    emit({"users": rows}, pd.DataFrame(rows, columns=["name", "role", "added"]), args.format)
    return 0
