"""The workspace: one DuckDB file that keeps every dataset a team imported, version by version.

Layout of the file (all store tables start with `ws_`; other features keep their own tables in
the same file under their own prefix, through `Workspace.read()` / `Workspace.write()`):

- `ws_datasets`: one row per named dataset and its current version;
- `ws_versions`: one row per import, rollback or append: when, who, what, the row accounting;
- `ws_parts`: the tables of a version (subscriptions, customers, events, surveys), each naming a
  data table and a rejects table plus how the file was read (preset, mapping, sha256…);
- `ws_data_<id>` / `ws_rejects_<id>`: the canonical tables themselves.  A version that keeps a
  table unchanged (an append without new customers, a rollback) points at the same table instead
  of copying it.

Every write is one DuckDB transaction taken under an exclusive file lock (see `lock.py`): a
failed, refused or killed import leaves the previous version as it was.  Reads take the lock
shared and open the file read-only, so a CLI import and the app never open it for writing at
the same time (DuckDB allows one writing process).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import hashlib
import json
import os
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from retention.dataset import Dataset, read_bytes
from retention.i18n import N_
from retention.importing import LoadResult, StatusPolicy
from retention.importing.errors import empty_rejects
from retention.workspace import KINDS, frames
from retention.workspace.errors import WorkspaceError
from retention.workspace.lock import workspace_lock

DB_FILE = "workspace.duckdb"
LOCK_FILE = "workspace.lock"
SCHEMA_VERSION = 1
MODES = ("replace", "append")
MAX_NAME = 80
DEFAULT_WAIT_SECONDS = 30.0
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f]")

Progress = Callable[[str], None]
"""Called with the name of each step of a save (`"subscriptions"`, …, `"commit"`), before it runs."""


# --------------------------------------------------------------------------------------------
# What the store returns


@dataclass(frozen=True)
class SourceFile:
    """An uploaded or imported file as the version records it: name, size and sha256 of its bytes."""

    name: str
    sha256: str
    size: int

    @classmethod
    def of(cls, name: str, data: bytes) -> SourceFile:
        return cls(Path(name).name, hashlib.sha256(data).hexdigest(), len(data))


@dataclass(frozen=True)
class PartInfo:
    """One table of a version: how its file was read and what the import did with its rows."""

    kind: str
    file: str
    rows: int
    """Rows of this table in the version (after an append: old and new together)."""
    rows_read: int
    rows_used: int
    rows_rejected: int
    sha256: str = ""
    size: int = 0
    preset: str = ""
    mapping: dict[str, str] = field(default_factory=dict)
    added: int | None = None
    """Append only: rows of the file that were new or changed."""
    identical: int | None = None
    """Append only: rows of the file already stored exactly so (not doubled)."""
    replaced: int | None = None
    """Append only: older stored rows replaced by the file's newer row for the same subscription/customer."""
    carried: bool = False
    """True when the version kept this table from the version before (not part of the import)."""


@dataclass(frozen=True)
class VersionInfo:
    dataset: str
    version: int
    created_at: pd.Timestamp
    created_by: str
    action: str
    """`replace`, `append` or `rollback`."""
    based_on: int | None
    note: str
    parts: tuple[PartInfo, ...]
    current: bool = False

    @property
    def imported(self) -> tuple[PartInfo, ...]:
        return tuple(p for p in self.parts if not p.carried)

    @property
    def files(self) -> list[str]:
        return [p.file for p in self.imported]

    @property
    def rows_read(self) -> int:
        return sum(p.rows_read for p in self.imported)

    @property
    def rows_used(self) -> int:
        return sum(p.rows_used for p in self.imported)

    @property
    def rows_rejected(self) -> int:
        return sum(p.rows_rejected for p in self.imported)

    def part(self, kind: str) -> PartInfo | None:
        return next((p for p in self.parts if p.kind == kind), None)


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    current_version: int
    versions: int
    created_at: pd.Timestamp
    updated_at: pd.Timestamp
    subscriptions: int
    customers: int | None


@dataclass(frozen=True)
class SaveResult:
    version: VersionInfo
    unchanged: bool = False
    """True when the import held nothing new: no version was added (a nightly job re-reading the same export)."""


# --------------------------------------------------------------------------------------------
# The store


def validate_name(name: str) -> str:
    """A dataset name as stored: trimmed, 1–80 characters, no control characters."""
    clean = (name or "").strip()
    if not clean:
        raise WorkspaceError(N_("give the dataset a name"))
    if len(clean) > MAX_NAME or _BAD_NAME.search(clean):
        raise WorkspaceError(N_("a dataset name has at most {n} characters and no line breaks or tabs"), n=MAX_NAME)
    return clean


def current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())


class Workspace:
    """A folder holding `workspace.duckdb` and its lock file.

    Cheap to create: nothing is opened until an operation runs, and every operation opens and
    closes the database itself, so a `Workspace` may be kept in a session and used from any thread.
    `wait` is how long an operation waits for another process's write before `WorkspaceBusy`;
    `on_wait` is told once, with a description of that process, when it has to wait.
    """

    def __init__(self, path: str | Path, *, wait: float = DEFAULT_WAIT_SECONDS,
                 on_wait: Callable[[str], None] | None = None) -> None:
        path = Path(path).expanduser()
        if path.suffix == ".duckdb":
            self.folder, self.db_path = path.parent, path
        else:
            self.folder, self.db_path = path, path / DB_FILE
        self.lock_path = self.db_path.with_name(self.db_path.stem + ".lock") if path.suffix == ".duckdb" \
            else self.folder / LOCK_FILE
        self.wait = wait
        self.on_wait = on_wait

    def __repr__(self) -> str:
        return f"Workspace({str(self.folder)!r})"

    # ---- connections ------------------------------------------------------------------------

    @contextlib.contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection | None]:
        """A read-only connection under the shared lock; None when nothing was ever saved."""
        with workspace_lock(self.lock_path, exclusive=False, timeout=self.wait, on_wait=self.on_wait):
            if not self.db_path.exists():
                yield None
                return
            con = duckdb.connect(str(self.db_path), read_only=True)
            # DuckDB draws a progress bar on stdout for queries over 2 s: the CLI's JSON/CSV output and the
            # benchmark's tables must stay clean (the app and the CLI show their own progress).  A connection
            # setting, because connect(config=…) is refused while the process has the file open elsewhere.
            con.execute("SET enable_progress_bar = false")
            try:
                yield con
            finally:
                con.close()

    @contextlib.contextmanager
    def write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection inside one transaction under the exclusive lock: committed when the block
        ends, rolled back when it raises (or when the process dies before the end)."""
        with workspace_lock(self.lock_path, exclusive=True, timeout=self.wait, on_wait=self.on_wait):
            self.folder.mkdir(parents=True, exist_ok=True)
            con = duckdb.connect(str(self.db_path))
            con.execute("SET enable_progress_bar = false")  # as in read()
            try:
                _ensure_schema(con)
                con.execute("BEGIN TRANSACTION")
                try:
                    yield con
                except BaseException:
                    with contextlib.suppress(duckdb.Error):
                        con.execute("ROLLBACK")
                    raise
                con.execute("COMMIT")
                con.execute("CHECKPOINT")
            finally:
                con.close()

    # ---- reading ----------------------------------------------------------------------------

    def exists(self) -> bool:
        return self.db_path.exists()

    def datasets(self) -> list[DatasetInfo]:
        """Every dataset, most recently changed first."""
        with self.read() as con:
            if con is None or not _has_schema(con):
                return []
            rows = con.execute(
                """
                SELECT d.name, d.current_version, d.created_at,
                       (SELECT count(*) FROM ws_versions v WHERE v.dataset = d.name),
                       (SELECT created_at FROM ws_versions v WHERE v.dataset = d.name AND v.version = d.current_version),
                       (SELECT rows FROM ws_parts p WHERE p.dataset = d.name AND p.version = d.current_version
                          AND p.kind = 'subscriptions'),
                       (SELECT rows FROM ws_parts p WHERE p.dataset = d.name AND p.version = d.current_version
                          AND p.kind = 'customers')
                FROM ws_datasets d
                """
            ).fetchall()
        found = [DatasetInfo(name, current, count, pd.Timestamp(created), pd.Timestamp(updated), int(subs or 0),
                             None if cust is None else int(cust))
                 for name, current, created, count, updated, subs, cust in rows]
        return sorted(found, key=lambda d: (d.updated_at, d.name), reverse=True)

    def names(self) -> list[str]:
        return sorted(d.name for d in self.datasets())

    def versions(self, name: str) -> list[VersionInfo]:
        """Every version of a dataset, newest first."""
        with self.read() as con:
            return _versions(con, name)

    def version(self, name: str, version: int | None = None) -> VersionInfo:
        """One version (default: the current one)."""
        with self.read() as con:
            return _version(con, name, version)

    def load(self, name: str, version: int | None = None) -> Dataset:
        """A saved version (default: the current one) as a `retention.Dataset`, ready for the engine.

        The tables come out of DuckDB as Arrow and go to pandas without a Python loop per row.
        """
        with self.read() as con:
            info = _version(con, name, version)
            parts = con.execute(
                "SELECT kind, data_table, rejects_table, meta FROM ws_parts WHERE dataset = ? AND version = ?",
                [info.dataset, info.version],
            ).fetchall()
            results: dict[str, LoadResult] = {}
            for kind, data_table, rejects_table, meta_text in parts:
                meta = json.loads(meta_text)
                table = frames.restore(con.sql(f'SELECT * FROM "{data_table}"').to_arrow_table(), meta["describe"])
                rejects = frames.restore(con.sql(f'SELECT * FROM "{rejects_table}"').to_arrow_table(),
                                         meta["rejects_describe"])
                results[kind] = _load_result(kind, table, rejects, meta)
        if "subscriptions" not in results:
            raise WorkspaceError(N_("version {version} of '{name}' has no subscriptions"), version=info.version, name=name)
        extra = {k: results[k] for k in ("events", "surveys", "churn_reasons") if k in results}
        return Dataset(results["subscriptions"], results.get("customers"), extra)

    def rejects(self, name: str, version: int | None = None) -> pd.DataFrame:
        """The rejected rows of a version's import, with file, row, column, value and reason."""
        data = self.load(name, version)
        return data.rejects()

    # ---- writing ----------------------------------------------------------------------------

    def save(
        self,
        name: str,
        data: Dataset,
        *,
        mode: str = "replace",
        sources: Mapping[str, SourceFile] | None = None,
        user: str | None = None,
        note: str = "",
        progress: Progress | None = None,
    ) -> SaveResult:
        """Save `data` as the new current version of dataset `name` (created when new).

        `mode="replace"`: the version holds exactly these tables.  `mode="append"`: each table is
        merged into the current version's (a newer export: new rows added, a subscription's or
        customer's newer row replaces its older one, identical rows are not doubled); tables not
        in `data` are kept.  `sources` maps a kind to the file it was read from (for its sha256).
        Nothing is written when the result would equal the current version (`unchanged=True`).
        """
        return self.save_parts(name, _parts_of(data), mode=mode, sources=sources, user=user, note=note, progress=progress)

    def save_parts(
        self,
        name: str,
        parts: Mapping[str, LoadResult],
        *,
        mode: str = "replace",
        sources: Mapping[str, SourceFile] | None = None,
        user: str | None = None,
        note: str = "",
        progress: Progress | None = None,
    ) -> SaveResult:
        """`save` for some tables only (`{"events": result}` appends usage events to the current version)."""
        name = validate_name(name)
        if mode not in MODES:
            raise WorkspaceError(N_("mode must be replace or append, not {mode}"), mode=mode)
        unknown = set(parts) - set(KINDS)
        if unknown:
            raise WorkspaceError(N_("unknown table kind {kind}"), kind=", ".join(sorted(unknown)))
        subs = parts.get("subscriptions")
        if subs is not None and subs.rows_used == 0:
            raise WorkspaceError(
                N_("{file}: no subscription row could be used ({n} rejected); nothing was saved"),
                file=subs.file, n=subs.rows_rejected)
        sources = dict(sources or {})
        step = progress or (lambda _step: None)
        with self.write() as con:
            current = _current(con, name)
            previous = _part_rows(con, name, current) if current is not None else {}
            new_parts: dict[str, tuple[str, str, int, dict[str, Any]]] = {}
            for kind in KINDS:
                result = parts.get(kind)
                old = previous.get(kind)
                if result is None:
                    if mode == "append" and old is not None:
                        new_parts[kind] = (old[0], old[1], old[2], {**old[3], "carried": True})
                    continue
                step(kind)
                source = sources.get(kind)
                meta = _part_meta(result, source)
                meta["describe"] = frames.describe(result.table)
                meta["rejects_describe"] = frames.describe(result.rejects)
                meta["content"] = frames.fingerprint(result.table)
                meta["rejects_content"] = frames.fingerprint(result.rejects)
                same_rejects = old is not None and old[3].get("rejects_content") == meta["rejects_content"]
                rejects_table = old[1] if same_rejects else _create(con, "rejects", frames.to_arrow(result.rejects))
                if old is not None and old[3].get("content") == meta["content"]:
                    # The same rows as stored (a nightly job re-reading yesterday's export): share the table.
                    data_table = old[0]
                    meta["describe"] = old[3]["describe"]
                    if mode == "append":
                        meta.update({"added": 0, "identical": result.rows_used, "replaced": 0})
                elif mode == "append" and old is not None:
                    data_table, counts, describe = _merge(con, kind, old, result)
                    if counts["added"] == 0 and counts["replaced"] == 0:
                        con.execute(f'DROP TABLE "{data_table}"')
                        data_table, describe = old[0], old[3]["describe"]
                    meta.update(counts)
                    meta["describe"] = describe
                    meta["content"] = "" if data_table != old[0] else old[3].get("content", "")
                else:
                    data_table = _create(con, "data", frames.to_arrow(result.table))
                rows = con.execute(f'SELECT count(*) FROM "{data_table}"').fetchall()[0][0]
                new_parts[kind] = (data_table, rejects_table, int(rows), meta)
            if "subscriptions" not in new_parts:
                raise WorkspaceError(N_("dataset '{name}' does not exist yet: its first import needs a subscriptions file"),
                                     name=name)
            if current is not None and _same(previous, new_parts):
                con.execute("ROLLBACK")
                con.execute("BEGIN TRANSACTION")  # write() commits an empty transaction
                return SaveResult(_version(con, name, current), unchanged=True)
            version = _next_version(con, name)
            action = "append" if mode == "append" and current is not None else "replace"
            _insert_version(con, name, version, action, current, note, user or current_user(), new_parts)
            step("commit")
            saved = _version(con, name, version)
        return SaveResult(saved)

    def import_files(
        self,
        name: str,
        *,
        subscriptions: str | Path | None,
        customers: str | Path | None = None,
        events: str | Path | None = None,
        surveys: str | Path | None = None,
        churn_reasons: str | Path | None = None,
        mode: str = "replace",
        user: str | None = None,
        note: str = "",
        progress: Progress | None = None,
        **read_options: Any,
    ) -> SaveResult:
        """Read export files (every option of `retention.load_dataset`) and save them as a version.

        The files are read and checked before the workspace is locked: a file that cannot be read
        stops the import with the importer's message and the workspace is not touched.
        """
        from retention.dataset import load_dataset
        from retention.importing.churn_reasons import load_churn_reasons
        from retention.importing.events import load_events
        from retention.importing.surveys import load_surveys

        name = validate_name(name)
        step = progress or (lambda _step: None)
        parts: dict[str, LoadResult] = {}
        sources: dict[str, SourceFile] = {}
        if subscriptions is None and (mode != "append" or customers is not None):
            raise WorkspaceError(N_("an import needs a subscriptions file (or --append with events or surveys only)"))
        if subscriptions is not None:
            step("reading subscriptions")
            data = load_dataset(subscriptions, customers, **read_options)
            parts["subscriptions"] = data.subscriptions
            sources["subscriptions"] = SourceFile.of(str(subscriptions), read_bytes(subscriptions))
            if data.customers is not None:
                parts["customers"] = data.customers
            if customers is not None:
                sources["customers"] = SourceFile.of(str(customers), read_bytes(customers))
            subs_table = data.subscriptions.table
        else:
            subs_table = None
        if events is not None:
            step("reading events")
            raw = read_bytes(events)
            if subs_table is None:
                subs_table = self.load(name).subscriptions.table
            parts["events"] = load_events(raw, Path(events).name, subscriptions=subs_table)
            sources["events"] = SourceFile.of(str(events), raw)
        if surveys is not None:
            step("reading surveys")
            raw = read_bytes(surveys)
            parts["surveys"] = load_surveys(raw, Path(surveys).name)
            sources["surveys"] = SourceFile.of(str(surveys), raw)
        if churn_reasons is not None:
            step("reading churn reasons")
            raw = read_bytes(churn_reasons)
            parts["churn_reasons"] = load_churn_reasons(raw, Path(churn_reasons).name)
            sources["churn_reasons"] = SourceFile.of(str(churn_reasons), raw)
        if not parts:
            raise WorkspaceError(N_("nothing to import: give at least one file"))
        return self.save_parts(name, parts, mode=mode, sources=sources, user=user, note=note, progress=progress)

    def rollback(self, name: str, version: int, *, user: str | None = None) -> VersionInfo:
        """Make an older version current again, as a new version pointing at its tables (nothing copied,
        nothing deleted: the rollback itself can be rolled back)."""
        with self.write() as con:
            target = _version(con, name, version)
            current = _current(con, target.dataset)
            if current == target.version:
                raise WorkspaceError(N_("version {version} of '{name}' is already the current one"),
                                     version=version, name=target.dataset)
            rows = _part_rows(con, target.dataset, target.version)
            new = _next_version(con, target.dataset)
            _insert_version(con, target.dataset, new, "rollback", target.version, "", user or current_user(),
                            {k: (d, r, n, {**m, "carried": False}) for k, (d, r, n, m) in rows.items()})
            return _version(con, target.dataset, new)

    def delete(self, name: str) -> int:
        """Delete a dataset with every version and table; returns how many versions went."""
        with self.write() as con:
            info = _version(con, name, None)
            tables = con.execute(
                "SELECT DISTINCT data_table FROM ws_parts WHERE dataset = ? UNION "
                "SELECT DISTINCT rejects_table FROM ws_parts WHERE dataset = ?", [info.dataset, info.dataset]).fetchall()
            count = con.execute("SELECT count(*) FROM ws_versions WHERE dataset = ?", [info.dataset]).fetchall()[0][0]
            con.execute("DELETE FROM ws_parts WHERE dataset = ?", [info.dataset])
            con.execute("DELETE FROM ws_versions WHERE dataset = ?", [info.dataset])
            con.execute("DELETE FROM ws_datasets WHERE name = ?", [info.dataset])
            for (table,) in tables:
                if not con.execute("SELECT count(*) FROM ws_parts WHERE data_table = ? OR rejects_table = ?",
                                   [table, table]).fetchall()[0][0]:
                    con.execute(f'DROP TABLE IF EXISTS "{table}"')
            return int(count)

    def export(self, name: str, folder: str | Path, version: int | None = None) -> list[Path]:
        """Write a version back to CSV files (canonical columns, formula cells neutralised) plus
        `rejects.csv` and `version.json`, which says where each file came from."""
        from retention.exports import to_csv_bytes

        info = self.version(name, version)
        data = self.load(name, info.version)
        target = Path(folder)
        target.mkdir(parents=True, exist_ok=True)
        written = []
        for kind, result in (("subscriptions", data.subscriptions), ("customers", data.customers),
                             *data.extra.items()):
            if result is None:
                continue
            path = target / f"{kind}.csv"
            table = result.table.reset_index(drop=True)
            for column in table.columns:
                if isinstance(table[column].dtype, pd.DatetimeTZDtype):
                    table[column] = table[column].dt.strftime("%Y-%m-%dT%H:%M:%S%z")
                elif pd.api.types.is_datetime64_dtype(table[column]):
                    table[column] = table[column].dt.strftime("%Y-%m-%d")
            path.write_bytes(to_csv_bytes(table))
            written.append(path)
        rejects = data.rejects()
        path = target / "rejects.csv"
        path.write_bytes(to_csv_bytes(rejects))
        written.append(path)
        path = target / "version.json"
        path.write_text(json.dumps(version_dict(info), indent=2, default=str) + "\n")
        written.append(path)
        return written


def open_workspace(path: str | Path | None = None, **options: Any) -> Workspace:
    """The workspace at `path`, or at the configured path (`RETENTION_WORKSPACE`, secrets.toml)."""
    from retention.workspace.config import workspace_path

    return Workspace(path if path is not None else workspace_path(), **options)


def version_dict(info: VersionInfo) -> dict[str, Any]:
    """A version as plain JSON-ready data (CLI `--format json`, `version.json` of an export)."""
    return {
        "dataset": info.dataset,
        "version": info.version,
        "current": info.current,
        "created_at": info.created_at.isoformat(),
        "created_by": info.created_by,
        "action": info.action,
        "based_on": info.based_on,
        "note": info.note,
        "rows_read": info.rows_read,
        "rows_used": info.rows_used,
        "rows_rejected": info.rows_rejected,
        "parts": [
            {k: v for k, v in p.__dict__.items() if v is not None} for p in info.parts
        ],
    }


# --------------------------------------------------------------------------------------------
# Helpers (each runs on an open connection)


def _ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE TABLE IF NOT EXISTS ws_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute("INSERT OR IGNORE INTO ws_meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
    con.execute("""CREATE TABLE IF NOT EXISTS ws_datasets (
        name VARCHAR PRIMARY KEY, created_at TIMESTAMP NOT NULL, created_by VARCHAR, current_version INTEGER NOT NULL)""")
    con.execute("""CREATE TABLE IF NOT EXISTS ws_versions (
        dataset VARCHAR NOT NULL, version INTEGER NOT NULL, created_at TIMESTAMP NOT NULL, created_by VARCHAR,
        action VARCHAR NOT NULL, based_on INTEGER, note VARCHAR, PRIMARY KEY (dataset, version))""")
    con.execute("""CREATE TABLE IF NOT EXISTS ws_parts (
        dataset VARCHAR NOT NULL, version INTEGER NOT NULL, kind VARCHAR NOT NULL, data_table VARCHAR NOT NULL,
        rejects_table VARCHAR NOT NULL, rows BIGINT NOT NULL, meta VARCHAR NOT NULL, PRIMARY KEY (dataset, version, kind))""")


def _has_schema(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'ws_datasets'").fetchall()[0][0])


def _current(con: duckdb.DuckDBPyConnection, name: str) -> int | None:
    rows = con.execute("SELECT current_version FROM ws_datasets WHERE name = ?", [name]).fetchall()
    return int(rows[0][0]) if rows else None


def _next_version(con: duckdb.DuckDBPyConnection, name: str) -> int:
    return int(con.execute("SELECT coalesce(max(version), 0) + 1 FROM ws_versions WHERE dataset = ?", [name]).fetchall()[0][0])


def _part_rows(con: duckdb.DuckDBPyConnection, name: str, version: int) -> dict[str, tuple[str, str, int, dict]]:
    rows = con.execute("SELECT kind, data_table, rejects_table, rows, meta FROM ws_parts WHERE dataset = ? AND version = ?",
                       [name, version]).fetchall()
    return {kind: (d, r, int(n), json.loads(m)) for kind, d, r, n, m in rows}


def _same(old: dict[str, tuple], new: dict[str, tuple]) -> bool:
    return set(old) == set(new) and all(old[k][:2] == new[k][:2] for k in new)


def _create(con: duckdb.DuckDBPyConnection, prefix: str, table: pa.Table) -> str:
    name = f"ws_{prefix}_{uuid.uuid4().hex[:16]}"
    arrow = table  # noqa: F841 - read by DuckDB's replacement scan below
    if table.num_columns:
        con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM arrow')
    else:
        con.execute(f'CREATE TABLE "{name}" (_empty INTEGER)')
    return name


def _key_columns(kind: str, result: LoadResult, columns: list[str]) -> list[str] | None:
    """Columns naming "the same row" across two exports, or None for exact-duplicate matching."""
    if kind == "customers":
        return ["customer_id"]
    if kind == "subscriptions" and "subscription_id" in result.mapping:
        return ["customer_id", "subscription_id", "start_date"]
    return None


def _merge(con: duckdb.DuckDBPyConnection, kind: str, old: tuple[str, str, int, dict], result: LoadResult
           ) -> tuple[str, dict[str, int], dict[str, Any]]:
    """Append `result` to the stored table `old`: a new table and what happened to the rows."""
    old_table = old[0]
    incoming = frames.to_arrow(result.table)
    new_cols = [c for c in incoming.column_names if c != frames.ROW]
    old_cols = [c for c in con.execute(f'SELECT * FROM "{old_table}" LIMIT 0').fetchdf().columns if c != frames.ROW]
    shared = [c for c in new_cols if c in old_cols]
    arrow = incoming  # noqa: F841 - read by DuckDB's replacement scan
    con.execute("CREATE OR REPLACE TEMP TABLE _incoming AS SELECT * FROM arrow")
    quoted = ", ".join(f'"{c}"' for c in shared)
    identical = con.execute(
        f'SELECT count(*) FROM (SELECT {quoted} FROM _incoming INTERSECT ALL SELECT {quoted} FROM "{old_table}")'
    ).fetchall()[0][0]
    name = f"ws_data_{uuid.uuid4().hex[:16]}"
    keys = _key_columns(kind, result, shared)
    if keys and all(k in shared for k in keys):
        match = " AND ".join(f'o."{k}" IS NOT DISTINCT FROM n."{k}"' for k in keys)
        replaced = con.execute(
            f'SELECT count(*) FROM "{old_table}" o WHERE EXISTS (SELECT 1 FROM _incoming n WHERE {match})').fetchall()[0][0]
        con.execute(
            f'CREATE TABLE "{name}" AS SELECT * FROM "{old_table}" o WHERE NOT EXISTS '
            f'(SELECT 1 FROM _incoming n WHERE {match}) UNION ALL BY NAME SELECT * FROM _incoming')
        replaced -= identical
    else:
        # Exact matching keeps multiplicity: a row the old table holds twice and the file three times is added once.
        on = " AND ".join(f'n."{c}" IS NOT DISTINCT FROM o."{c}"' for c in shared)
        con.execute(
            f"""CREATE TABLE "{name}" AS
            SELECT * FROM "{old_table}"
            UNION ALL BY NAME
            SELECT n.* EXCLUDE (_k) FROM (
                SELECT *, row_number() OVER (PARTITION BY {quoted}) AS _k FROM _incoming) n
            LEFT JOIN (SELECT {quoted}, count(*) AS _c FROM "{old_table}" GROUP BY ALL) o ON {on}
            WHERE n._k > coalesce(o._c, 0)""")
        replaced = 0
    con.execute("DROP TABLE _incoming")
    describe = frames.describe(result.table)
    for column, spec in old[3]["describe"]["columns"].items():
        if column not in describe["columns"]:
            describe["columns"][column] = spec
            describe["order"].append(column)
    counts = {"added": int(len(result.table) - identical), "identical": int(identical), "replaced": int(max(replaced, 0))}
    return name, counts, describe


def _part_meta(result: LoadResult, source: SourceFile | None) -> dict[str, Any]:
    policy = result.status_policy
    return {
        "load": {
            "file": result.file,
            "mapping": dict(result.mapping),
            "preset": result.preset,
            "status_policy": None if policy is None else {"actions": dict(policy.actions), "name": policy.name},
            "date_order": result.date_order,
            "decimals": dict(result.decimals),
            "currency": result.currency,
            "rates": dict(result.rates),
            "sheet": result.sheet,
        },
        "source": {} if source is None else {"name": source.name, "sha256": source.sha256, "size": source.size},
        "import": {"rows_read": result.rows_read, "rows_used": result.rows_used, "rows_rejected": result.rows_rejected},
    }


def _insert_version(con: duckdb.DuckDBPyConnection, name: str, version: int, action: str, based_on: int | None,
                    note: str, user: str, parts: dict[str, tuple[str, str, int, dict]]) -> None:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.execute("INSERT INTO ws_versions VALUES (?, ?, ?, ?, ?, ?, ?)", [name, version, now, user, action, based_on, note])
    for kind, (data_table, rejects_table, rows, meta) in parts.items():
        con.execute("INSERT INTO ws_parts VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [name, version, kind, data_table, rejects_table, rows, json.dumps(meta)])
    if _current(con, name) is None:
        con.execute("INSERT INTO ws_datasets VALUES (?, ?, ?, ?)", [name, now, user, version])
    else:
        con.execute("UPDATE ws_datasets SET current_version = ? WHERE name = ?", [version, name])


def _versions(con: duckdb.DuckDBPyConnection | None, name: str) -> list[VersionInfo]:
    if con is None or not _has_schema(con) or _current(con, name) is None:
        raise _unknown(con, name)
    current = _current(con, name)
    rows = con.execute("SELECT version, created_at, created_by, action, based_on, note FROM ws_versions "
                       "WHERE dataset = ? ORDER BY version DESC", [name]).fetchall()
    parts = con.execute("SELECT version, kind, rows, meta FROM ws_parts WHERE dataset = ?", [name]).fetchall()
    by_version: dict[int, list[PartInfo]] = {}
    for version, kind, rows_, meta in parts:
        by_version.setdefault(int(version), []).append(_part_info(kind, int(rows_), json.loads(meta)))
    order = {k: i for i, k in enumerate(KINDS)}
    return [
        VersionInfo(name, int(v), pd.Timestamp(created, tz="UTC"), by or "", action, based_on, note or "",
                    tuple(sorted(by_version.get(int(v), []), key=lambda p: order.get(p.kind, 99))), current=int(v) == current)
        for v, created, by, action, based_on, note in rows
    ]


def _version(con: duckdb.DuckDBPyConnection | None, name: str, version: int | None) -> VersionInfo:
    versions = _versions(con, name)
    if version is None:
        return next(v for v in versions if v.current)
    for info in versions:
        if info.version == version:
            return info
    raise WorkspaceError(N_("dataset '{name}' has no version {version}; its versions are {versions}"),
                         name=name, version=version, versions=", ".join(str(v.version) for v in reversed(versions)))


def _unknown(con: duckdb.DuckDBPyConnection | None, name: str) -> WorkspaceError:
    names = []
    if con is not None and _has_schema(con):
        names = [n for (n,) in con.execute("SELECT name FROM ws_datasets ORDER BY name").fetchall()]
    if not names:
        return WorkspaceError(N_("no dataset named '{name}': the workspace is empty"), name=name)
    return WorkspaceError(N_("no dataset named '{name}'; the workspace has {names}"), name=name, names=", ".join(names))


def _part_info(kind: str, rows: int, meta: dict[str, Any]) -> PartInfo:
    load, source, counts = meta["load"], meta.get("source", {}), meta.get("import", {})
    return PartInfo(
        kind=kind, file=source.get("name") or load["file"], rows=rows,
        rows_read=int(counts.get("rows_read", 0)), rows_used=int(counts.get("rows_used", 0)),
        rows_rejected=int(counts.get("rows_rejected", 0)), sha256=source.get("sha256", ""), size=int(source.get("size", 0)),
        preset=load.get("preset") or "", mapping=load.get("mapping") or {},
        added=meta.get("added"), identical=meta.get("identical"), replaced=meta.get("replaced"),
        carried=bool(meta.get("carried")),
    )


def _parts_of(data: Dataset) -> dict[str, LoadResult]:
    parts: dict[str, LoadResult] = {"subscriptions": data.subscriptions}
    if data.customers is not None:
        parts["customers"] = data.customers
    for kind in ("events", "surveys", "churn_reasons"):
        if kind in data.extra:
            parts[kind] = data.extra[kind]
    return parts


def _load_result(kind: str, table: pd.DataFrame, rejects: pd.DataFrame, meta: dict[str, Any]) -> LoadResult:
    load = meta["load"]
    policy = load.get("status_policy")
    if rejects.empty:
        rejects = empty_rejects()
    return LoadResult(
        kind, meta.get("source", {}).get("name") or load["file"], table, rejects, len(table) + len(rejects),
        dict(load.get("mapping") or {}), preset=load.get("preset") or "",
        status_policy=None if policy is None else StatusPolicy(policy["actions"], name=policy["name"]),
        date_order=load.get("date_order"), decimals=dict(load.get("decimals") or {}), currency=load.get("currency") or "",
        rates=dict(load.get("rates") or {}), sheet=load.get("sheet"),
    )
