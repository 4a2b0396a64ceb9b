"""Notes on charts: dated remarks kept per dataset ("price change", "launched annual plans").

They live in the workspace (table `nt_notes`), are drawn as markers on every trend chart, and are
listed in the HTML report and the digest.  A note belongs to one dataset and is never shown with
another's data.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

MAX_TEXT = 200


@dataclass(frozen=True)
class Note:
    id: int
    dataset: str
    day: pd.Timestamp
    text: str
    author: str = ""


def _ensure(con) -> None:
    con.execute("CREATE SEQUENCE IF NOT EXISTS nt_ids START 1")
    con.execute("CREATE TABLE IF NOT EXISTS nt_notes (id BIGINT PRIMARY KEY DEFAULT nextval('nt_ids'), dataset TEXT NOT NULL, "
                "day DATE NOT NULL, text TEXT NOT NULL, author TEXT, created TIMESTAMP DEFAULT now())")


def _clean(text: str) -> str:
    text = " ".join(str(text).split())
    if not text:
        raise ValueError("a note needs some text")
    if len(text) > MAX_TEXT:
        raise ValueError(f"a note is at most {MAX_TEXT} characters")
    return text


def add_note(workspace, dataset: str, day: str | pd.Timestamp, text: str, author: str = "") -> Note:
    """Keep a note on `day` for `dataset` (one transaction)."""
    try:
        when = pd.Timestamp(day).normalize()
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{day!r} is not a date; write YYYY-MM-DD") from exc
    text = _clean(text)
    with workspace.write() as con:
        _ensure(con)
        row = con.execute("INSERT INTO nt_notes (dataset, day, text, author) VALUES (?, ?, ?, ?) RETURNING id",
                          [dataset, when.date(), text, author]).fetchone()
    return Note(int(row[0]), dataset, when, text, author)


def list_notes(workspace, dataset: str) -> list[Note]:
    """The dataset's notes, oldest first ([] when the workspace has none)."""
    with workspace.read() as con:
        if con is None or not _exists(con):
            return []
        rows = con.execute("SELECT id, dataset, day, text, coalesce(author, '') FROM nt_notes WHERE dataset = ? ORDER BY day, id",
                           [dataset]).fetchall()
    return [Note(int(r[0]), r[1], pd.Timestamp(r[2]), r[3], r[4]) for r in rows]


def remove_note(workspace, dataset: str, note_id: int) -> bool:
    """Remove one of the dataset's notes; False when there is no such note."""
    with workspace.write() as con:
        _ensure(con)
        found = con.execute("DELETE FROM nt_notes WHERE dataset = ? AND id = ? RETURNING id", [dataset, int(note_id)]).fetchall()
    return bool(found)


def _exists(con) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'nt_notes'").fetchone()[0])


def notes_frame(notes: list[Note]) -> pd.DataFrame:
    return pd.DataFrame({"id": [n.id for n in notes], "date": [n.day.date().isoformat() for n in notes],
                         "note": [n.text for n in notes], "author": [n.author for n in notes]})
