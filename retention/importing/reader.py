"""Turn an uploaded file's bytes into a table of text cells.

Everything is read as text first: typing happens in `parse`, column by column, so a bad cell
becomes a reject with its row number instead of a failed file.  The reader decides the
container (gzip, zip, Excel), the encoding and the delimiter from the bytes themselves, not
from the file name: founders' exports come from Excel on Windows as often as from a billing
system, and uploads get renamed.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zipfile
from dataclasses import dataclass

import numpy as np
import pandas as pd

from retention.i18n import N_
from retention.importing.arrow_csv import EMPTY_ATTR, read_columns
from retention.importing.errors import LoadError
from retention.importing.parse import edge_space

_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
_DELIMITERS = ",;\t|"
_MAX_UNPACKED = 512 * 1024 * 1024


def container(data: bytes) -> str:
    """What the bytes are: `gzip`, `zip`, `xlsx`, `xls`, `binary` or `text` (magic numbers)."""
    if data.startswith(b"\x1f\x8b"):
        return "gzip"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            return "binary"
        return "xlsx" if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names) else "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(head):
        return "text"
    if b"\x00" in head or head.startswith((b"\x89PNG", b"%PDF", b"GIF8", b"\xff\xd8\xff")):
        return "binary"
    return "text"


def _looks_utf16(head: bytes) -> bool:
    """UTF-16 without a byte-order mark: every other byte is zero in ASCII text."""
    if len(head) < 4:
        return False
    even, odd = head[0::2], head[1::2]
    return (odd.count(0) > 0.4 * len(odd) and even.count(0) == 0) or (even.count(0) > 0.4 * len(even) and odd.count(0) == 0)


def unpack(data: bytes, file: str) -> bytes:
    """The CSV bytes inside a .gz or a .zip with a single data file; other bytes unchanged."""
    kind = container(data)
    if kind == "gzip":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as handle:
                inner = handle.read(_MAX_UNPACKED + 1)
        except (OSError, EOFError) as exc:
            raise LoadError(file, N_("the gzip file is damaged or incomplete; download the export again")) from exc
        if len(inner) > _MAX_UNPACKED:
            raise LoadError(file, N_("the compressed file unpacks to more than 512 MB; export a shorter date range"))
        return inner
    if kind == "zip":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [i for i in archive.infolist()
                       if not i.is_dir() and not i.filename.startswith("__MACOSX/") and not i.filename.split("/")[-1].startswith(".")]
            if len(members) != 1:
                raise LoadError(file, N_("the zip archive must hold exactly one CSV file; it holds {n}: {names}"),
                                {"n": len(members), "names": ", ".join(m.filename for m in members) or "-"})
            if members[0].file_size > _MAX_UNPACKED:
                raise LoadError(file, N_("the compressed file unpacks to more than 512 MB; export a shorter date range"))
            try:
                return archive.read(members[0])
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError) as exc:
                raise LoadError(
                    file, N_("cannot unpack the zip archive (damaged or password-protected); unzip it and upload the CSV")
                ) from exc
    return data


def decode(data: bytes, file: str) -> str:
    """Decode bytes: UTF-16 by its BOM or its zero bytes, then UTF-8 (with or without BOM), then Excel's cp1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise LoadError(file, N_("cannot read the file's text encoding; save it as UTF-8 CSV and upload again")) from exc
    if _looks_utf16(data[:4096]):
        encoding = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    for encoding in _ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LoadError(file, N_("cannot read the file's text encoding; save it as UTF-8 CSV and upload again"))


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header and first lines most consistently."""
    head = text[:65536].splitlines()  # the first lines, without splitting a file of millions of lines
    lines = [line for line in (head if len(head) > 20 else text.splitlines())[:20] if line.strip()]
    sample = "\n".join(lines)
    header = lines[0] if lines else ""
    try:
        found = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
        if header.count(found):
            return found
    except csv.Error:
        pass
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


@dataclass(frozen=True)
class Source:
    """How a file was read: useful to show the user and to guess number formats."""

    container: str
    delimiter: str | None
    sheet: str | None


_FIELDS_MSG = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def read_table(data: bytes, file: str, delimiter: str | None = None, sheet: str | int | None = None,
               *, dictionary: bool = False) -> pd.DataFrame:
    """Read CSV, .csv.gz, single-CSV .zip or .xlsx bytes into a DataFrame of stripped strings.

    Empty cells are "".  The index is the row number a spreadsheet shows for each record
    (header = row 1; a quoted cell spanning lines stays one record).  `frame.attrs["source"]`
    records the container, delimiter and sheet.  With `dictionary=True` a CSV's columns with
    repeated cells come back as pandas Categoricals of their distinct stripped cells (Arrow's
    reader, see `arrow_csv`): the same cells, but typing them costs a pass over the distinct
    cells instead of one per row.
    """
    kind = container(data)
    if kind == "xls":
        raise LoadError(file, N_("this is an old Excel .xls workbook; save it as .xlsx or CSV and upload again"))
    if kind == "binary":
        raise LoadError(file, N_("this is not a CSV or Excel file; export the data as CSV and upload again"))
    if kind == "xlsx":
        from retention.importing.excel import read_xlsx

        frame, name = read_xlsx(data, file, sheet)
        frame = _tidy(frame)
        frame.attrs["source"] = Source("xlsx", None, name)
        return frame
    inner = unpack(data, file)
    if kind != "text" and container(inner) != "text":
        raise LoadError(file, N_("the archive does not hold a CSV file; unpack it and upload the CSV"))
    text = decode(inner, file)
    if not text.strip():
        raise LoadError(file, N_("the file is empty; export it again with a header row and data"))
    sep = delimiter or sniff_delimiter(text)
    frame = read_columns(text, sep)
    if frame is None:
        frame = _read_with_pandas(text, sep, file)
    frame = _tidy(frame, dictionary)
    frame.attrs["source"] = Source("gzip" if kind == "gzip" else "zip" if kind == "zip" else "csv", sep, None)
    return frame


def _read_with_pandas(text: str, sep: str, file: str) -> pd.DataFrame:
    """pandas' C reader: for the files Arrow's stricter reader refuses, and for its error messages."""
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, skipinitialspace=True,
            skip_blank_lines=False, index_col=False, engine="c", na_filter=False,  # no NA scan: every cell stays text
        )
    except pd.errors.ParserError as exc:
        found = _FIELDS_MSG.search(str(exc))
        if found:
            raise LoadError(
                file, N_("this row has {saw} cells but the header has {expected}; check the delimiter and the quotes"),
                {"saw": found.group(3), "expected": found.group(1)}, row=int(found.group(2)),
            ) from exc
        raise LoadError(file, N_("cannot split the file into columns ({detail}); check that it is a CSV file"),
                        {"detail": str(exc).strip().splitlines()[-1]}) from exc
    except (ValueError, pd.errors.EmptyDataError) as exc:
        raise LoadError(file, N_("cannot split the file into columns ({detail}); check that it is a CSV file"),
                        {"detail": (str(exc).strip().splitlines() or [type(exc).__name__])[-1]}) from exc
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="row")
    return frame


def _clean_categorical(values: pd.Series, dictionary: bool) -> tuple[pd.Series, bool]:
    """A Categorical column from Arrow: strip its distinct cells (not its rows), merge the ones that
    become equal, and expand it to plain text unless the caller takes dictionaries."""
    categories = values.cat.categories
    codes = values.cat.codes.to_numpy()
    if edge_space(categories.tolist())[0]:  # one scan; most columns have no cell to strip
        merged, categories = pd.factorize(categories.str.strip())
        codes = merged.astype(codes.dtype, copy=False)[codes]
        values = pd.Series(pd.Categorical.from_codes(codes, categories=categories, validate=False), index=values.index)
    cells = np.asarray(categories, dtype=object)
    empty = bool((cells == "").any())  # every category of a fresh Arrow column is used by some row
    if dictionary:
        return values, empty
    return pd.Series(cells.take(codes), index=values.index, dtype=object), empty


def _expanded(values: pd.Series, dictionary: bool) -> pd.Series:
    """A column as plain text cells unless the caller takes dictionary-encoded (Categorical) columns."""
    if dictionary or not isinstance(values.dtype, pd.CategoricalDtype):
        return values
    cells = values.cat.categories.to_numpy(dtype=object)
    return pd.Series(cells.take(values.cat.codes.to_numpy()), index=values.index, dtype=object)


def _clean_column(values: pd.Series, dictionary: bool = False) -> tuple[pd.Series, bool]:
    """(cells as stripped text with "" for missing, whether any cell is empty).

    A column of clean text (the usual case) is returned as it is after one scan (`edge_space`);
    only columns with missing cells, non-text cells or surrounding whitespace are rewritten.
    """
    if isinstance(values.dtype, pd.CategoricalDtype) and values.cat.categories.dtype == object:
        return _clean_categorical(values, dictionary)
    try:
        spaced, empty = edge_space(values.tolist())
    except TypeError:  # missing (NaN) or non-text cells
        text = values.fillna("").astype(str).str.strip()
        return text, bool(text.eq("").any())
    if spaced:
        text = values.astype(str).str.strip()
        return text, bool(text.eq("").any())
    return values, empty


def _tidy(frame: pd.DataFrame, dictionary: bool = False) -> pd.DataFrame:
    """Strip cells, drop empty trailing columns and blank lines, name blank headers, de-duplicate names."""
    names = [str(c).strip() for c in frame.columns]
    stripped = frame.attrs.get(EMPTY_ATTR)  # Arrow already stripped the cells and found the empty ones
    if stripped is not None:
        cleaned = [(_expanded(frame.iloc[:, i], dictionary), stripped[i]) for i in range(len(names))]
    else:
        cleaned = [_clean_column(frame.iloc[:, i], dictionary) for i in range(len(names))]
    frame = pd.DataFrame({i: column for i, (column, _) in enumerate(cleaned)}, index=frame.index, columns=range(len(names)))
    has_empty = [empty for _, empty in cleaned]
    keep: list[int] = []
    final: list[str] = []
    for i, name in enumerate(names):
        blank = name == "" or re.fullmatch(r"Unnamed: \d+", name) is not None
        if blank and not frame[i].ne("").any():
            continue  # trailing "a,b," columns and empty spreadsheet columns
        keep.append(i)
        final.append(f"column {i + 1}" if blank else name)
    seen: dict[str, int] = {}
    for j, name in enumerate(final):
        if name in seen:
            seen[name] += 1
            final[j] = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
    frame = frame[keep]
    frame.columns = final
    if len(frame.columns) and all(has_empty[i] for i in keep):  # a column without empty cells: no blank line
        filled = frame.ne("").any(axis=1)
        if not filled.all():
            frame = frame[filled]  # blank lines are not records
    return frame
