"""Command-line interface: `python -m retention COMMAND …`.

Each command lives in its own module with a `register(subparsers)` function; add new ones to
`COMMANDS` with the help line `--help` lists.  Every user error exits with status 2 and a single `error:` line.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from retention.cli.errors import CommandError
from retention.memory import return_freed_memory

COMMANDS: dict[str, tuple[str, str]] = {
    "metrics": ("retention.cli.metrics_cmd", "retention and MRR metrics per period"),
    "sample": ("retention.cli.sample_cmd", "generate a believable B2B SaaS data set"),
    "cohorts": ("retention.cli.cohorts_cmd", "cohort retention triangle (customers or revenue)"),
    "survival": ("retention.cli.survival_cmd", "customer lifetime curves (Kaplan-Meier) with 95%% band and median"),
    "engagement": ("retention.cli.engagement_cmd", "usage cohorts, day-7 and week-8 retention, 7-day drop-off"),
    "feedback": ("retention.cli.feedback_cmd", "NPS and CSAT per period, churn by NPS group"),
    "digest": ("retention.cli.digest_cmd", "weekly or monthly digest of a saved dataset by e-mail and webhook"),
    "alerts": ("retention.cli.alerts_cmd", "alert rules on metrics: add, list, remove, check"),
    "notes": ("retention.cli.notes_cmd", "dated notes drawn on a dataset's charts: add, list, remove"),
    "forecast": ("retention.cli.forecast_cmd", "projected retention and LTV per cohort, backtest, MRR forecast"),
    "customers": ("retention.cli.customers_cmd", "the customers behind a movement, cohort cell or segment"),
    "segments": ("retention.cli.segments_cmd", "headline metrics per value of a customer attribute (plan, country…)"),
    "workspace": ("retention.cli.workspace_cmd", "saved datasets: import, list, versions, rollback, export, delete"),
    "users": ("retention.cli.users_cmd", "users of a team workspace: add, remove, list"),
}
"""Command -> (its module, the one-line help `--help` lists).

Only the module of the command being run is imported (issue 15): `python -m retention --help` lists
every command from this table without importing pandas, NumPy or any command's dependencies (about
1.3 s of imports on a 2-core machine), and `metrics` never loads what `workspace` needs.  Each module's
`register(subparsers)` adds its command with the same help (`tests/test_cli_imports.py` checks that).
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, like every other user error
        print(f"error: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(2)


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser for the arguments `argv`: the command named there is registered by its module, the others are
    listed with their help only and their modules are not imported.  Without `argv`, every command is registered
    (a parser for documentation or tests)."""
    parser = _Parser(prog="python -m retention", description="SaaS retention metrics from billing exports.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    chosen = _command(argv) if argv is not None else None
    for name, (module, text) in COMMANDS.items():
        if argv is None or name == chosen:
            importlib.import_module(module).register(commands)
        else:
            commands.add_parser(name, help=text)
    return parser


def _command(argv: list[str]) -> str | None:
    """The command word of `argv`: the first argument that is not an option (the top parser has only --help)."""
    return next((a for a in argv if not a.startswith("-")), None)


def _user_error(exc: BaseException) -> str | None:
    """The message of a loading or workspace error, None for anything else.  Their modules are looked up in
    `sys.modules` rather than imported: an exception can only be theirs when they were loaded."""
    errors = sys.modules.get("retention.importing.errors")
    if errors is not None and isinstance(exc, errors.LoadError):
        return exc.message()
    errors = sys.modules.get("retention.workspace.errors")
    if errors is not None and isinstance(exc, errors.WorkspaceError):
        return exc.message()
    return None


def main(argv: list[str] | None = None) -> int:
    return_freed_memory()  # before pyarrow is imported: a big file's freed buffers go back to the system
    argv = sys.argv[1:] if argv is None else argv
    try:
        parser = build_parser(argv)
    except Exception as exc:  # noqa: BLE001 - a command module that cannot load is reported, never as a traceback
        print(f"error: unexpected problem ({type(exc).__name__}: {exc}); please report it with the command you ran",
              file=sys.stderr)
        return 2
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
    except BrokenPipeError:
        return 0
    except MemoryError:
        print("error: not enough memory for this file; try a shorter date range or a smaller export", file=sys.stderr)
    except Exception as exc:  # noqa: BLE001 - a user never sees a traceback
        message = _user_error(exc)
        if message is not None:
            print(f"error: {message}", file=sys.stderr)
        else:
            print(f"error: unexpected problem ({type(exc).__name__}: {exc}); please report it with the command you ran",
                  file=sys.stderr)
    return 2
