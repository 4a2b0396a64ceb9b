"""Limits on the work one read may do: a row cap and a time budget for workbooks, and a stop signal.

Reading a workbook is pure Python, row by row (about 5 µs a cell): a 1,048,575-row sheet keeps a
core busy for minutes.  The app sets a budget around each read (`limits`) with a `stopped`
check that turns true when the browser session that asked for the read has ended, so no
orphaned parsing goes on after a tab is closed.  A context variable carries the limits, so
they apply to the thread (and session) that set them and to nothing else.
"""

from __future__ import annotations

import contextvars
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from retention.i18n import N_
from retention.importing.errors import LoadError

MAX_WORKBOOK_ROWS = 500_000
WORKBOOK_SECONDS_ENV = "RETENTION_WORKBOOK_SECONDS"
DEFAULT_WORKBOOK_SECONDS = 120.0
CHECK_EVERY = 2_000


@dataclass(frozen=True)
class Limits:
    seconds: float
    stopped: Callable[[], bool] | None = None


_LIMITS: contextvars.ContextVar[Limits | None] = contextvars.ContextVar("retention_read_limits", default=None)


def workbook_seconds() -> float:
    try:
        return float(os.environ.get(WORKBOOK_SECONDS_ENV, "") or DEFAULT_WORKBOOK_SECONDS)
    except ValueError:
        return DEFAULT_WORKBOOK_SECONDS


@contextmanager
def limits(seconds: float | None = None, stopped: Callable[[], bool] | None = None) -> Iterator[None]:
    """Reads inside this block stop after `seconds` or as soon as `stopped()` is true."""
    token = _LIMITS.set(Limits(workbook_seconds() if seconds is None else seconds, stopped))
    try:
        yield
    finally:
        _LIMITS.reset(token)


class Stopped(Exception):
    """The session that asked for the read has ended: nobody is waiting for the result."""


def rows_within_budget(rows: Iterator, file: str, max_rows: int = MAX_WORKBOOK_ROWS) -> Iterator:
    """Pass rows through, refusing the file past `max_rows` or the time budget, stopping when the session ended."""
    active = _LIMITS.get()
    seconds = active.seconds if active else workbook_seconds()
    stopped = active.stopped if active else None
    deadline = time.monotonic() + seconds
    for count, row in enumerate(rows):
        if count > max_rows:
            raise LoadError(file, N_("the workbook has more than {n} rows; save the sheet as CSV (read much faster) and "
                                     "upload that"), {"n": f"{max_rows:,}"})
        if count % CHECK_EVERY == 0:
            if stopped is not None and stopped():
                raise Stopped(file)
            if time.monotonic() > deadline:
                raise LoadError(file, N_("reading the workbook took more than {seconds} seconds; save the sheet as CSV "
                                         "(read much faster) and upload that"), {"seconds": f"{seconds:g}"})
        yield row
