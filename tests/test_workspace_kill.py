"""An import killed mid-way (SIGKILL: no cleanup, no `finally`) leaves the previous version intact and readable.

The import runs in its own process and is stopped inside its transaction: once after the
subscriptions table was written and before the customers table, and once just before the commit.
Then the workspace is opened again, read-only first (the reader must cope with what the dead
writer left in DuckDB's write-ahead log), and written to again (the dead writer's lock is gone).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from retention.workspace import open_workspace

ROOT = Path(__file__).resolve().parents[1]
N_NEW = 20_000

IMPORT_AND_STALL = """
import sys, time
from pathlib import Path
from retention.workspace import open_workspace

folder, subs, customers, stall_at, marker = sys.argv[1:6]

def progress(step):
    if step == stall_at:
        Path(marker).write_text(step)
        time.sleep(600)

open_workspace(folder).import_files("acme", subscriptions=subs, customers=customers, progress=progress)
"""


def tables(db: Path) -> set[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {name for (name,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


@pytest.mark.parametrize("stall_at", ["customers", "commit"])
def test_killed_import_leaves_the_previous_version(tmp_path: Path, stall_at: str) -> None:
    folder = tmp_path / "ws"
    (tmp_path / "v1.csv").write_text("customer_id,subscription_id,start_date,end_date,mrr\nc1,s1,2024-01-01,,100\n")
    ws = open_workspace(folder)
    ws.import_files("acme", subscriptions=tmp_path / "v1.csv")
    before = tables(ws.db_path)

    lines = ["customer_id,subscription_id,start_date,end_date,mrr"]
    lines += [f"n{i},t{i},2024-0{1 + i % 9}-01,,{10 + i % 50}" for i in range(N_NEW)]
    (tmp_path / "v2.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "c2.csv").write_text("customer_id,country\n" + "\n".join(f"n{i},NL" for i in range(N_NEW)) + "\n")
    marker = tmp_path / "stalled"
    proc = subprocess.Popen(
        [sys.executable, "-c", IMPORT_AND_STALL, str(folder), str(tmp_path / "v2.csv"), str(tmp_path / "c2.csv"),
         stall_at, str(marker)], cwd=ROOT)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert proc.poll() is None, f"the import ended before reaching {stall_at} (exit {proc.returncode})"
            assert time.monotonic() < deadline, "the import did not reach its stall point"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    # Readable at once, read-only, on the previous version.
    versions = ws.versions("acme")
    assert [v.version for v in versions] == [1]
    data = ws.load("acme")
    assert data.subscriptions.table["customer_id"].tolist() == ["c1"]
    assert data.subscriptions.table["mrr"].tolist() == [100.0]
    assert tables(ws.db_path) == before

    # Writable again: the dead process's lock went with it, and the next import is whole.
    again = ws.import_files("acme", subscriptions=tmp_path / "v2.csv", customers=tmp_path / "c2.csv")
    assert again.version.version == 2
    assert len(ws.load("acme").subscriptions.table) == N_NEW
