"""Downloads get a short life: nothing is served before the click, and the file is gone soon after it.

Streamlit serves a download's bytes at `/media/<fingerprint>.<ext>` to any client that has the URL: the
media route checks no cookie and no session.  The app keeps that window small in two ways:

* every `st.download_button` gets a callable (tests/test_security_config.py checks it), so no file exists
  and no URL is sent before the user clicks; on the click the browser asks over its own WebSocket, the
  file is built, and its URL goes back to that browser only;
* the file built for the click belongs to no session (Streamlit keeps it only so the browser can fetch it),
  so a sweep every `RETENTION_DOWNLOAD_TTL` seconds (default 30) marks it and the next one deletes it:
  after at most two periods the URL answers 404.  Without the sweep Streamlit deletes such files only when
  some session's script run ends, which on a quiet server can be never.

Files a session still shows (none in this app) are never swept.  This is the second (and last) process-wide
object of the app next to the shared sample (`ui.sample`); it holds no data, only the timer thread.
"""

from __future__ import annotations

import logging
import os
import threading

import streamlit as st

DEFAULT_TTL_SECONDS = 30.0
_LOGGER = logging.getLogger(__name__)


def ttl_seconds() -> float:
    """Seconds between two sweeps (`RETENTION_DOWNLOAD_TTL`); a clicked download lives at most twice this."""
    try:
        value = float(os.environ.get("RETENTION_DOWNLOAD_TTL", DEFAULT_TTL_SECONDS))
    except ValueError:
        return DEFAULT_TTL_SECONDS
    return min(max(value, 0.5), 3600.0)


def start_sweeper() -> None:
    """Start the sweep once per server process (idempotent; called on every script run by app.py)."""
    _sweeper(ttl_seconds())


@st.cache_resource(show_spinner=False, max_entries=1)
def _sweeper(period: float) -> threading.Thread:
    from streamlit import runtime

    stop = threading.Event()

    def sweep() -> None:
        while not stop.wait(period):
            if not runtime.exists():
                return
            try:
                runtime.get_instance().media_file_mgr.remove_orphaned_files()
            except Exception:  # a sweep that fails leaves the files for the next one; never kill the thread
                _LOGGER.exception("sweeping downloaded files failed")

    thread = threading.Thread(target=sweep, name="retention-download-sweeper", daemon=True)
    thread.start()
    return thread
