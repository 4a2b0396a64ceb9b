"""The workspace store against a real DuckDB file: versions, append without doubles, rollback,
delete, export, transactions on failure, and the writer lock between processes.

Every number is worked out from the small files written below.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import retention
from retention.workspace import Workspace, WorkspaceBusy, WorkspaceError, open_workspace

ROOT = Path(__file__).resolve().parents[1]

# Two customers in January 2024; c1 pays 100 a month with no end, c2 pays 50 until March.
SUBS_V1 = """customer_id,subscription_id,start_date,end_date,mrr,plan
c1,s1,2024-01-01,,100,Pro
c2,s2,2024-01-01,2024-03-01,50,Basic
"""
# The next month's export: s1 has ended on 2024-05-01 (changed), s2 is unchanged, s3 is new,
# and one row has no customer id (rejected with its reason).
SUBS_V2 = """customer_id,subscription_id,start_date,end_date,mrr,plan
c1,s1,2024-01-01,2024-05-01,100,Pro
c2,s2,2024-01-01,2024-03-01,50,Basic
c3,s3,2024-04-01,,70,Pro
,s4,2024-04-01,,10,Pro
"""
CUSTOMERS = """customer_id,country
c1,NL
c2,DE
"""
CUSTOMERS_V2 = """customer_id,country
c2,FR
c3,RO
"""
EVENTS_V1 = """timestamp,user_id,customer_id,event
2024-01-02T10:00:00Z,u1,c1,login
2024-01-02T10:00:00Z,u1,c1,login
2024-01-03T09:00:00Z,u2,c2,login
"""
# Holds the two identical c1 logins three times, one c2 login, and a new one.
EVENTS_V2 = """timestamp,user_id,customer_id,event
2024-01-02T10:00:00Z,u1,c1,login
2024-01-02T10:00:00Z,u1,c1,login
2024-01-02T10:00:00Z,u1,c1,login
2024-01-03T09:00:00Z,u2,c2,login
2024-01-04T09:00:00Z,u2,c2,export
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


@pytest.fixture()
def ws(tmp_path: Path) -> Workspace:
    return open_workspace(tmp_path / "ws")


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    src = tmp_path / "exports"
    return {
        "subs1": write(src / "jan", "subscriptions.csv", SUBS_V1),
        "subs2": write(src / "apr", "subscriptions.csv", SUBS_V2),
        "cust1": write(src / "jan", "customers.csv", CUSTOMERS),
        "cust2": write(src / "apr", "customers.csv", CUSTOMERS_V2),
        "events1": write(src / "jan", "events.csv", EVENTS_V1),
        "events2": write(src / "apr", "events.csv", EVENTS_V2),
    }


def data_tables(ws: Workspace) -> set[str]:
    with duckdb.connect(str(ws.db_path), read_only=True) as con:
        return {name for (name,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE starts_with(table_name, 'ws_data_') "
            "OR starts_with(table_name, 'ws_rejects_')").fetchall()}


def test_empty_workspace_lists_nothing_and_names_the_problem(ws: Workspace) -> None:
    assert ws.datasets() == []
    assert not ws.exists()
    with pytest.raises(WorkspaceError, match="no dataset named 'acme': the workspace is empty"):
        ws.load("acme")


def test_a_version_records_where_its_rows_came_from(ws: Workspace, files: dict[str, Path]) -> None:
    saved = ws.import_files("acme", subscriptions=files["subs2"], customers=files["cust1"], user="anna").version
    assert (saved.dataset, saved.version, saved.action, saved.created_by, saved.current) == ("acme", 1, "replace", "anna", True)
    subs = saved.part("subscriptions")
    assert subs.file == "subscriptions.csv"
    assert subs.sha256 == hashlib.sha256(SUBS_V2.encode()).hexdigest()
    assert subs.size == len(SUBS_V2.encode())
    assert subs.preset == "generic"
    assert subs.mapping["mrr"] == "mrr" and subs.mapping["subscription_id"] == "subscription_id"
    assert (subs.rows_read, subs.rows_used, subs.rows_rejected, subs.rows) == (4, 3, 1, 3)
    assert (saved.rows_read, saved.rows_used, saved.rows_rejected) == (4 + 2, 3 + 2, 1)
    rejects = ws.rejects("acme")
    assert rejects[["file", "row", "column", "reason"]].astype(str).values.tolist() == [
        ["subscriptions.csv", "5", "customer_id", "missing customer id"]]
    [info] = ws.datasets()
    assert (info.name, info.current_version, info.versions, info.subscriptions, info.customers) == ("acme", 1, 1, 3, 2)


def test_a_saved_dataset_loads_back_exactly_as_uploaded(ws: Workspace) -> None:
    from ui.state import load_sample

    data = load_sample()
    ws.save("Sample company", data)
    back = ws.load("Sample company")
    for original, loaded in ((data.subscriptions, back.subscriptions), (data.customers, back.customers),
                             (data.extra["events"], back.extra["events"]), (data.extra["surveys"], back.extra["surveys"])):
        pd.testing.assert_frame_equal(loaded.table, original.table)
        assert loaded.mapping == original.mapping and loaded.preset == original.preset
    assert back.extra["events"].table.attrs == data.extra["events"].table.attrs
    assert back.subscriptions.status_policy == data.subscriptions.status_policy
    pd.testing.assert_frame_equal(back.metrics(), data.metrics())
    assert isinstance(back, retention.Dataset)


def test_append_adds_new_rows_replaces_changed_ones_and_never_doubles(ws: Workspace, files: dict[str, Path]) -> None:
    ws.import_files("acme", subscriptions=files["subs1"], customers=files["cust1"], events=files["events1"])
    result = ws.import_files("acme", subscriptions=files["subs2"], customers=files["cust2"], events=files["events2"],
                             mode="append")
    version = result.version
    assert (version.version, version.action, version.based_on) == (2, "append", 1)
    subs = version.part("subscriptions")
    # s1 changed (now ends 2024-05-01) and s3 is new: 2 added; s2 identical; the stored s1 replaced.
    assert (subs.added, subs.identical, subs.replaced, subs.rows) == (2, 1, 1, 3)
    cust = version.part("customers")
    # c2's country changed DE -> FR (replaced), c3 is new, c1 is kept from January.
    assert (cust.added, cust.identical, cust.replaced, cust.rows) == (2, 0, 1, 3)
    events = version.part("events")
    # The store held the c1 login twice; the file has it three times: one more is added, plus the export.
    assert (events.added, events.identical, events.rows) == (2, 3, 5)

    data = ws.load("acme")
    table = data.subscriptions.table.sort_values("subscription_id")
    assert table["subscription_id"].tolist() == ["s1", "s2", "s3"]
    assert table["end_date"].tolist()[0] == pd.Timestamp("2024-05-01")
    countries = dict(zip(data.customers.table["customer_id"], data.customers.table["country"], strict=True))
    assert countries == {"c1": "NL", "c2": "FR", "c3": "RO"}
    assert len(data.extra["events"].table) == 5
    # MRR at the end of April 2024: s1 (100, ends May 1st) + s3 (70, from April 1st); s2 ended in March.
    april = data.metrics(retention.Query(granularity="month", start="2024-04", end="2024-04"), as_of="2024-05-31")
    assert april["mrr_end"].tolist() == [170.0]


def test_appending_the_same_export_again_adds_no_version(ws: Workspace, files: dict[str, Path]) -> None:
    ws.import_files("acme", subscriptions=files["subs1"], customers=files["cust1"])
    again = ws.import_files("acme", subscriptions=files["subs1"], customers=files["cust1"], mode="append")
    assert again.unchanged and again.version.version == 1
    replaced = ws.import_files("acme", subscriptions=files["subs1"], customers=files["cust1"])
    assert replaced.unchanged
    assert [v.version for v in ws.versions("acme")] == [1]


def test_appending_events_alone_keeps_the_subscriptions(ws: Workspace, files: dict[str, Path]) -> None:
    ws.import_files("acme", subscriptions=files["subs1"], customers=files["cust1"])
    version = ws.import_files("acme", subscriptions=None, events=files["events1"], mode="append").version
    assert version.part("subscriptions").carried and not version.part("events").carried
    assert version.files == ["events.csv"]
    data = ws.load("acme")
    assert len(data.subscriptions.table) == 2 and len(data.extra["events"].table) == 3


def test_rollback_makes_an_old_version_current_as_a_new_version(ws: Workspace, files: dict[str, Path]) -> None:
    ws.import_files("acme", subscriptions=files["subs1"], customers=files["cust1"])
    ws.import_files("acme", subscriptions=files["subs2"], customers=files["cust2"])
    tables = data_tables(ws)
    back = ws.rollback("acme", 1, user="ben")
    assert (back.version, back.action, back.based_on, back.created_by, back.current) == (3, "rollback", 1, "ben", True)
    assert data_tables(ws) == tables  # nothing copied
    assert sorted(ws.load("acme").subscriptions.table["subscription_id"]) == ["s1", "s2"]
    assert sorted(ws.load("acme", 2).subscriptions.table["subscription_id"]) == ["s1", "s2", "s3"]
    assert [(v.version, v.current) for v in ws.versions("acme")] == [(3, True), (2, False), (1, False)]
    with pytest.raises(WorkspaceError, match="already the current one"):
        ws.rollback("acme", 3)
    with pytest.raises(WorkspaceError, match="has no version 9; its versions are 1, 2, 3"):
        ws.rollback("acme", 9)


def test_delete_removes_the_dataset_and_its_tables(ws: Workspace, files: dict[str, Path]) -> None:
    ws.import_files("acme", subscriptions=files["subs1"])
    ws.import_files("other", subscriptions=files["subs2"])
    ws.import_files("acme", subscriptions=files["subs2"])
    assert ws.delete("acme") == 2
    assert ws.names() == ["other"]
    assert len(data_tables(ws)) == 2  # other's data and rejects tables
    with pytest.raises(WorkspaceError, match="no dataset named 'acme'; the workspace has other"):
        ws.versions("acme")


def test_a_failed_save_leaves_the_previous_version(ws: Workspace, files: dict[str, Path]) -> None:
    ws.import_files("acme", subscriptions=files["subs1"], customers=files["cust1"])
    tables = data_tables(ws)

    def fail(step: str) -> None:
        if step == "commit":
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        ws.import_files("acme", subscriptions=files["subs2"], customers=files["cust2"], progress=fail)
    assert [v.version for v in ws.versions("acme")] == [1]
    assert data_tables(ws) == tables
    assert sorted(ws.load("acme").subscriptions.table["subscription_id"]) == ["s1", "s2"]


def test_a_refused_import_changes_nothing(ws: Workspace, files: dict[str, Path], tmp_path: Path) -> None:
    ws.import_files("acme", subscriptions=files["subs1"])
    empty = write(tmp_path, "broken.csv", "customer_id,subscription_id,start_date,mrr\n,s9,2024-01-01,5\n")
    with pytest.raises(WorkspaceError, match=r"broken.csv: no subscription row could be used \(1 rejected\)"):
        ws.import_files("acme", subscriptions=empty)
    with pytest.raises(retention.LoadError, match="no_such.csv"):
        ws.import_files("acme", subscriptions=tmp_path / "no_such.csv")
    with pytest.raises(WorkspaceError, match="give the dataset a name"):
        ws.import_files("  ", subscriptions=files["subs1"])
    assert [v.version for v in ws.versions("acme")] == [1]


def test_export_writes_csv_files_that_import_back_to_the_same_numbers(ws: Workspace, files: dict[str, Path],
                                                                      tmp_path: Path) -> None:
    ws.import_files("acme", subscriptions=files["subs2"], customers=files["cust1"], events=files["events1"])
    written = ws.export("acme", tmp_path / "out")
    assert sorted(p.name for p in written) == ["customers.csv", "events.csv", "rejects.csv", "subscriptions.csv",
                                                 "version.json"]
    assert "missing customer id" in (tmp_path / "out" / "rejects.csv").read_text()
    again = retention.load_dataset(tmp_path / "out" / "subscriptions.csv", tmp_path / "out" / "customers.csv")
    pd.testing.assert_frame_equal(again.metrics(), ws.load("acme").metrics())


LOCK_HOLDER = """
import sys, time
from pathlib import Path
from retention.workspace.lock import workspace_lock
with workspace_lock(Path(sys.argv[1]), exclusive=True, timeout=5):
    Path(sys.argv[2]).write_text("locked")
    time.sleep(float(sys.argv[3]))
"""


def _hold_lock(ws: Workspace, tmp_path: Path, seconds: float) -> subprocess.Popen:
    marker = tmp_path / "locked"
    proc = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(ws.lock_path), str(marker), str(seconds)], cwd=ROOT)
    deadline = time.monotonic() + 30
    while not marker.exists():
        assert proc.poll() is None and time.monotonic() < deadline, "lock holder did not start"
        time.sleep(0.05)
    return proc


def test_a_writer_waits_for_another_process_and_says_what_it_waits_for(files: dict[str, Path], tmp_path: Path) -> None:
    told: list[str] = []
    ws = Workspace(tmp_path / "ws", wait=0.3, on_wait=told.append)
    holder = _hold_lock(ws, tmp_path, 30)
    try:
        with pytest.raises(WorkspaceBusy, match=rf"process {holder.pid} \(.*\) is writing to it and did not finish within 0.3 s"):
            ws.import_files("acme", subscriptions=files["subs1"])
        assert told and f"process {holder.pid}" in told[0]
    finally:
        holder.kill()
        holder.wait()
    # The kernel dropped the dead holder's lock: the next writer goes ahead.
    assert ws.import_files("acme", subscriptions=files["subs1"]).version.version == 1


def test_a_writer_that_waits_long_enough_succeeds(files: dict[str, Path], tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws", wait=30)
    holder = _hold_lock(ws, tmp_path, 1.0)
    try:
        assert ws.import_files("acme", subscriptions=files["subs1"]).version.version == 1
    finally:
        holder.wait()


IMPORTER = """
import sys
from retention.workspace import Workspace
result = Workspace(sys.argv[1], wait=120).import_files(sys.argv[2], subscriptions=sys.argv[3])
print(result.version.version)
"""


def test_two_editors_importing_at_once_and_a_reader_all_succeed(ws: Workspace, files: dict[str, Path],
                                                                tmp_path: Path) -> None:
    ws.import_files("acme", subscriptions=files["subs1"])
    big = ["customer_id,subscription_id,start_date,end_date,mrr"] + [f"c{i},s{i},2024-01-01,,10" for i in range(20_000)]
    big_file = write(tmp_path, "big.csv", "\n".join(big) + "\n")
    procs = [subprocess.Popen([sys.executable, "-c", IMPORTER, str(ws.folder), name, str(big_file)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True) for name in ("acme", "beta")]
    reads = 0
    while any(p.poll() is None for p in procs) or reads == 0:
        assert len(Workspace(ws.folder, wait=120).load("acme").subscriptions.table) in (2, 20_000)
        reads += 1
    outputs = [p.communicate()[0].strip() for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    assert outputs == ["2", "1"]
    assert ws.names() == ["acme", "beta"]
    assert len(ws.load("acme").subscriptions.table) == 20_000
