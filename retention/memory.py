"""How a long-lived process hands memory back while it parses a big upload (issue 21: peak about 5× the file).

Reading a 200 MB CSV makes many short-lived buffers of a few megabytes (one per column and step).
With the allocators' defaults they are not given back to the system when freed, so the resident set
climbs with every step although the live data does not:

- Arrow's default pool (mimalloc) keeps freed pages for reuse, and pandas' Arrow-backed operations
  (factorising the id column, the string kernels) allocate from it;
- glibc keeps freed heap pages mapped (its `mmap` threshold rises after the first large block is
  freed, so later blocks come from the heap), and the CSV reader's threads each fill their own arena.

So the process uses the system allocator for Arrow (`return_freed_memory`, once at start: the server's
`app.py`, the CLI, and the bench's child process like the server), and the importer calls `trim` between
its big steps, which hands the free heap pages back (glibc's `malloc_trim`; a few milliseconds).
Measured on a 50 MB upload (959,000 rows, `./dev bench --memory`): growth 7.3× the file with the
defaults, 4.4–4.6× with both, the same tables read, and no slower.  Fixing glibc's `mmap` threshold as
well gave 4.1× but cost 20–30 % more CPU in page faults, so it is not done.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from functools import cache


def return_freed_memory() -> None:
    """Make Arrow allocate with malloc, so `trim` can hand its freed buffers back.  Cheap to call again (`app.py`
    runs on every rerun); before pyarrow is imported it sets the environment variable Arrow reads."""
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    if "pyarrow" in sys.modules:  # imported already (Streamlit's server imports it): the variable came too late
        import pyarrow as pa

        if pa.default_memory_pool().backend_name != "system":
            pa.set_memory_pool(pa.system_memory_pool())


def trim() -> None:
    """Give the heap's free pages back to the system now (between the big steps of an import); glibc only."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)


@cache
def _glibc():
    """The C library when it is glibc (it has `malloc_trim`), else None (macOS, musl): then trimming is skipped."""
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        libc = ctypes.CDLL(name)
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") else None
