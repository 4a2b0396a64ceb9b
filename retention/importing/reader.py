"""Turn an uploaded file's bytes into a table of text cells.

Everything is read as text first: typing happens in `parse`, column by column, so a bad cell
becomes a reject with its row number instead of a failed file.  The reader decides encoding
and delimiter from the bytes themselves because founders' exports come from Excel on Windows
as often as from a billing system.
"""

from __future__ import annotations

import csv
import io

import pandas as pd

from retention.importing.errors import LoadError

_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
_DELIMITERS = ",;\t|"


def decode(data: bytes, file: str) -> str:
    """Decode bytes, trying UTF-8 (with or without BOM) before Excel's Windows code page."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in _ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LoadError(file, "cannot read the file's text encoding; save it as UTF-8 CSV and upload again")


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header and first lines most consistently."""
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        header = text.splitlines()[0] if text else ""
        counts = {d: header.count(d) for d in _DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def read_table(data: bytes, file: str, delimiter: str | None = None) -> pd.DataFrame:
    """Read CSV bytes into a DataFrame of stripped strings ("" for empty cells).

    The index is the row number a spreadsheet shows for each record (header = row 1).
    """
    text = decode(data, file)
    if not text.strip():
        raise LoadError(file, "the file is empty; export it again with a header row and data")
    sep = delimiter or sniff_delimiter(text)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            skipinitialspace=True,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise LoadError(
            file,
            "cannot split the file into columns ({detail}); check that it is a CSV file",
            {"detail": str(exc).strip().splitlines()[-1]},
        ) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    # Trailing empty columns ("a,b,") come out as "Unnamed: n" with no values: drop them.
    unnamed = [c for c in frame.columns if c.startswith("Unnamed:") and not frame[c].str.strip().any()]
    frame = frame.drop(columns=unnamed)
    for column in frame.columns:
        frame[column] = frame[column].str.strip()
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="row")
    return frame
