"""Users of a team workspace and sign-in with a growing wait after repeated failures.

After `FREE_FAILURES` failed sign-ins for a name within `WINDOW` (and no success since), each
further attempt must wait `2 ** (failures - FREE_FAILURES) * BASE_WAIT` seconds (at most
`MAX_WAIT`) after the last failure; the password is not even checked before then.  Attempts are
recorded in the workspace, so the wait holds across browser sessions and server restarts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from retention.access.passwords import MIN_LENGTH, hash_password, needs_rehash, verify_password
from retention.i18n import N_
from retention.workspace import Workspace, WorkspaceError

ROLES = ("viewer", "editor")
FREE_FAILURES = 3
BASE_WAIT = 2.0
MAX_WAIT = 300.0
WINDOW = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class User:
    name: str
    role: str
    created_at: dt.datetime | None = None

    @property
    def can_edit(self) -> bool:
        return self.role == "editor"


class SignInRefused(WorkspaceError):
    """Too many failed sign-ins for this name: `wait_seconds` before the next try is checked."""

    def __init__(self, wait_seconds: float) -> None:
        self.wait_seconds = wait_seconds
        super().__init__(N_("too many failed sign-ins; try again in {seconds} s"), seconds=int(wait_seconds + 0.999))


def _ensure(con) -> None:
    con.execute("""CREATE TABLE IF NOT EXISTS access_users (
        name VARCHAR PRIMARY KEY, role VARCHAR NOT NULL, password_hash VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL)""")
    con.execute("CREATE TABLE IF NOT EXISTS access_attempts (name VARCHAR NOT NULL, attempted_at TIMESTAMP NOT NULL, ok BOOLEAN NOT NULL)")


def _has_tables(con) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'access_users'").fetchall()[0][0])


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def validate_user_name(name: str) -> str:
    clean = (name or "").strip()
    if not clean or len(clean) > 120 or any(c.isspace() for c in clean):
        raise WorkspaceError(N_("a user name has 1 to 120 characters and no spaces"))
    return clean


def add_user(workspace: Workspace, name: str, password: str, role: str) -> bool:
    """Create a user or set a new password and role; True when the user is new."""
    name = validate_user_name(name)
    if role not in ROLES:
        raise WorkspaceError(N_("role must be viewer or editor, not {role}"), role=role)
    if len(password) < MIN_LENGTH:
        raise WorkspaceError(N_("a password needs at least {n} characters"), n=MIN_LENGTH)
    hashed = hash_password(password)
    with workspace.write() as con:
        _ensure(con)
        new = not con.execute("SELECT count(*) FROM access_users WHERE name = ?", [name]).fetchall()[0][0]
        con.execute("INSERT OR REPLACE INTO access_users VALUES (?, ?, ?, ?)", [name, role, hashed, _now()])
        con.execute("DELETE FROM access_attempts WHERE name = ?", [name])
    return bool(new)


def remove_user(workspace: Workspace, name: str) -> None:
    with workspace.write() as con:
        _ensure(con)
        if not con.execute("SELECT count(*) FROM access_users WHERE name = ?", [name]).fetchall()[0][0]:
            raise WorkspaceError(N_("no user named '{name}'"), name=name)
        con.execute("DELETE FROM access_users WHERE name = ?", [name])
        con.execute("DELETE FROM access_attempts WHERE name = ?", [name])


def list_users(workspace: Workspace) -> list[User]:
    with workspace.read() as con:
        if con is None or not _has_tables(con):
            return []
        rows = con.execute("SELECT name, role, created_at FROM access_users ORDER BY name").fetchall()
    return [User(name, role, created) for name, role, created in rows]


def wait_before(failures: list[dt.datetime], now: dt.datetime) -> float:
    """Seconds still to wait given the failure times since the last success (oldest first)."""
    recent = [t for t in failures if now - t <= WINDOW]
    if len(recent) < FREE_FAILURES:
        return 0.0
    wait = min(BASE_WAIT * 2 ** (len(recent) - FREE_FAILURES), MAX_WAIT)
    return max(0.0, wait - (now - recent[-1]).total_seconds())


def authenticate(workspace: Workspace, name: str, password: str, *, now: dt.datetime | None = None) -> User | None:
    """The user when name and password match; None when not; `SignInRefused` while a wait runs.

    `now` (naive UTC) is for tests that must not depend on how fast the machine hashes."""
    name = (name or "").strip()
    now = now or _now()
    with workspace.read() as con:
        if con is None or not _has_tables(con):
            row, failures = None, []
        else:
            rows = con.execute("SELECT role, password_hash FROM access_users WHERE name = ?", [name]).fetchall()
            row = rows[0] if rows else None
            last_ok = con.execute("SELECT max(attempted_at) FROM access_attempts WHERE name = ? AND ok", [name]).fetchall()[0][0]
            failures = [t for (t,) in con.execute(
                "SELECT attempted_at FROM access_attempts WHERE name = ? AND NOT ok "
                "AND attempted_at > coalesce(?::TIMESTAMP, '1970-01-01') ORDER BY attempted_at", [name, last_ok]).fetchall()]
    wait = wait_before(failures, now)
    if wait > 0:
        raise SignInRefused(wait)
    ok = verify_password(row[1] if row else None, password)
    with workspace.write() as con:
        _ensure(con)
        con.execute("INSERT INTO access_attempts VALUES (?, ?, ?)", [name[:120], now, ok])
        con.execute("DELETE FROM access_attempts WHERE attempted_at < ?", [now - 4 * WINDOW])
        if ok and needs_rehash(row[1]):
            con.execute("UPDATE access_users SET password_hash = ? WHERE name = ?", [hash_password(password), name])
    return User(name, row[0]) if ok else None
