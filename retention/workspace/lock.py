"""A file lock beside the DuckDB file: one writer at a time, readers never see a write half-done.

DuckDB lets one process open a database file for writing, or several processes open it
read-only, never both at once.  The store therefore opens the file only for the duration of one
operation, under this lock: writers take it exclusively, readers shared.  `flock` locks belong to
an open file description, so two threads of one server exclude each other the same way two
processes do, and the kernel drops a lock when its process dies (a killed import never leaves the
workspace locked).  The holder of the write lock writes who it is into the lock file, so a waiting
process can say what it is waiting for.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from retention.i18n import N_
from retention.workspace.errors import WorkspaceBusy

POLL_SECONDS = 0.05


def holder(path: Path) -> dict[str, object]:
    """What the last writer wrote into the lock file (pid, command, since); {} when unknown."""
    try:
        return json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        return {}


def describe_holder(info: dict[str, object]) -> str:
    if not info:
        return "another process"
    since = time.strftime("%H:%M:%S", time.localtime(float(info.get("since", 0) or 0)))
    return f"process {info.get('pid', '?')} ({info.get('command', '?')}, since {since})"


@contextlib.contextmanager
def workspace_lock(
    path: Path, *, exclusive: bool, timeout: float, on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the lock file `path` (created when missing) for the `with` block.

    Waits up to `timeout` seconds; `on_wait` is called once, with a description of the holder,
    when the lock is not free at once.  Raises `WorkspaceBusy` naming the holder on timeout.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        deadline = time.monotonic() + max(timeout, 0.0)
        told = False
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told and on_wait is not None:
                    on_wait(describe_holder(holder(path)))
                    told = True
                if time.monotonic() >= deadline:
                    raise WorkspaceBusy(
                        N_("the workspace is busy: {holder} is writing to it and did not finish within {seconds} s; "
                           "try again later (CLI: raise --wait)"),
                        holder=describe_holder(holder(path)), seconds=f"{timeout:g}",
                    ) from None
                time.sleep(POLL_SECONDS)
        if exclusive:
            os.ftruncate(fd, 0)
            command = " ".join(Path(a).name if i == 0 else a for i, a in enumerate(sys.argv[:4]))
            os.pwrite(fd, json.dumps({"pid": os.getpid(), "command": command, "since": time.time()}).encode(), 0)
        try:
            yield
        finally:
            if exclusive:
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
