"""Command-line interface: `python -m retention COMMAND …`.

Each command lives in its own module with a `register(subparsers)` function; add new ones to
`COMMANDS`.  Every user error exits with status 2 and a single `error:` line.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from retention.cli.common import CommandError
from retention.importing import LoadError
from retention.memory import return_freed_memory
from retention.workspace import WorkspaceError

COMMANDS = [
    "retention.cli.metrics_cmd",
    "retention.cli.sample_cmd",
    "retention.cli.cohorts_cmd",
    "retention.cli.survival_cmd",
    "retention.cli.engagement_cmd",
    "retention.cli.feedback_cmd",
    "retention.cli.digest_cmd",
    "retention.cli.alerts_cmd",
    "retention.cli.notes_cmd",
    "retention.cli.forecast_cmd",
    "retention.cli.customers_cmd",
    "retention.cli.segments_cmd",
    "retention.cli.workspace_cmd",
    "retention.cli.users_cmd",
]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, like every other user error
        print(f"error: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m retention", description="SaaS retention metrics from billing exports.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMANDS:
        importlib.import_module(name).register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    return_freed_memory()  # before pyarrow is imported: a big file's freed buffers go back to the system
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except LoadError as exc:
        print(f"error: {exc.message()}", file=sys.stderr)
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
    except WorkspaceError as exc:
        print(f"error: {exc.message()}", file=sys.stderr)
    except BrokenPipeError:
        return 0
    except MemoryError:
        print("error: not enough memory for this file; try a shorter date range or a smaller export", file=sys.stderr)
    except Exception as exc:  # noqa: BLE001 - a user never sees a traceback
        print(f"error: unexpected problem ({type(exc).__name__}: {exc}); please report it with the command you ran",
              file=sys.stderr)
    return 2
