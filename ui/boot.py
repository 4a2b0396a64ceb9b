"""Make sure every page runs inside `app.py`'s navigation.

Streamlit still has a legacy mode for apps with a `pages/` folder: on a fresh server whose
first request is a deep link (a bookmarked `/revenue`), it runs that page file directly,
without `app.py` — no language picker, no navigation, no data loading.  `app.py` marks the
thread while it runs a page; a page that finds no mark runs `app.py` instead, which then runs
the page the URL asked for.  A thread-local mark is per script run, never shared by sessions.
"""

from __future__ import annotations

import runpy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import streamlit as st

APP = Path(__file__).resolve().parent.parent / "app.py"
_local = threading.local()


@contextmanager
def running_app() -> Iterator[None]:
    _local.active = True
    try:
        yield
    finally:
        _local.active = False


def ensure_app() -> None:
    """Called at the top of every page: hand over to `app.py` when it is not running."""
    if getattr(_local, "active", False):
        from ui import access

        access.require()  # every page checks, not only the entry point
        return
    with running_app():
        runpy.run_path(str(APP), run_name="__main__")
    st.stop()
