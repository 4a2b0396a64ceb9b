"""Turn an uploaded file's bytes into a table of text cells.

Everything is read as text first: typing happens in `parse`, column by column, so a bad cell
becomes a reject with its row number instead of a failed file.  The reader decides the
container (gzip, zip, Excel), the encoding and the delimiter from the bytes themselves, not
from the file name: founders' exports come from Excel on Windows as often as from a billing
system, and uploads get renamed.
"""

from __future__ import annotations

import codecs
import contextvars
import csv
import io
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from retention.i18n import N_
from retention.importing.arrow_csv import EMPTY_ATTR, read_columns
from retention.importing.errors import LoadError
from retention.importing.ids import as_text_cells, is_ids
from retention.importing.parse import edge_space
from retention.memory import trim

_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
MIXED_LINES_LISTED = 50
"""Lines of a mixed-encoding file named one by one in the note (the count covers them all)."""
_DELIMITERS = ",;\t|"
_MAX_UNPACKED = 512 * 1024 * 1024
_CHUNK = 1024 * 1024
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, KeyError, RuntimeError,
               NotImplementedError, zlib.error)


def container(data: bytes) -> str:
    """What the bytes are: `gzip`, `zip`, `xlsx`, `xls`, `binary` or `text` (magic numbers)."""
    if data.startswith(b"\x1f\x8b"):
        return "gzip"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except _ZIP_ERRORS:
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


def unpack(data: bytes, file: str, cap: int | None = None) -> bytes:
    """The CSV bytes inside a .gz or a .zip with a single data file; other bytes unchanged.

    Archives are decompressed as a stream, a megabyte at a time, and refused as soon as the
    output passes `cap` (512 MB): sizes written in the archive's headers are never trusted, so a
    file that lies about what it unpacks to costs at most the cap in memory before it is refused.
    """
    cap = _MAX_UNPACKED if cap is None else cap
    kind = container(data)
    if kind == "gzip":
        return _gunzip(data, file, cap)
    if kind == "zip":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = [i for i in archive.infolist()
                           if not i.is_dir() and not i.filename.startswith("__MACOSX/")
                           and not i.filename.split("/")[-1].startswith(".")]
                if len(members) != 1:
                    raise LoadError(file, N_("the zip archive must hold exactly one CSV file; it holds {n}: {names}"),
                                    {"n": len(members), "names": ", ".join(m.filename for m in members) or "-"})
                if members[0].file_size > cap:
                    raise _too_big(file, cap)
                with archive.open(members[0]) as handle:
                    return _read_capped(handle.read, file, cap)
        except LoadError:
            raise
        except _ZIP_ERRORS as exc:
            raise LoadError(
                file, N_("cannot unpack the zip archive (damaged or password-protected); unzip it and upload the CSV")
            ) from exc
    return data


def _too_big(file: str, cap: int) -> LoadError:
    return LoadError(file, N_("the compressed file unpacks to more than {mb} MB; export a shorter date range"),
                     {"mb": cap // (1024 * 1024) or 1})


def _read_capped(read, file: str, cap: int) -> bytes:
    """Read a stream to its end in chunks, refusing it once it passes `cap` bytes."""
    out = bytearray()
    while True:
        chunk = read(_CHUNK)
        if not chunk:
            return bytes(out)
        out += chunk
        if len(out) > cap:
            raise _too_big(file, cap)


def _gunzip(data: bytes, file: str, cap: int) -> bytes:
    """Every member of a gzip stream, decompressed at most a megabyte per step and refused past `cap`."""
    out = bytearray()
    damaged = LoadError(file, N_("the gzip file is damaged or incomplete; download the export again"))
    decompressor = zlib.decompressobj(wbits=31)
    pending = data
    try:
        while True:
            chunk = decompressor.decompress(pending, _CHUNK)
            pending = decompressor.unconsumed_tail
            out += chunk
            if len(out) > cap:
                raise _too_big(file, cap)
            if decompressor.eof:
                rest = decompressor.unused_data
                if rest.startswith(b"\x1f\x8b"):  # another member (concatenated .gz files)
                    decompressor, pending = zlib.decompressobj(wbits=31), rest
                    continue
                if rest.strip(b"\x00"):
                    raise damaged
                return bytes(out)
            if not chunk and not pending:
                raise damaged  # the stream ends before the gzip trailer: a cut-off download
    except zlib.error as exc:
        raise damaged from exc


def decode(data: bytes, file: str, notes: list | None = None) -> str:
    """Decode bytes: UTF-16 by its BOM or its zero bytes, then UTF-8 (with or without BOM), then Excel's cp1252.

    A file that mixes UTF-8 lines with cp1252 lines (two exports pasted together) is decoded
    sequence by sequence: valid UTF-8 as UTF-8, the rest as cp1252, and a note appended to
    `notes` says how many lines were read each way, instead of turning every `é` of the
    UTF-8 lines into `Ã©`.
    """
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
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    spans: list[tuple[int, int]] = []
    token = _SPANS.set(spans)
    try:
        text = data.decode("utf-8-sig", errors="retention-cp1252")
    finally:
        _SPANS.reset(token)
    high = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) >= 0x80)
    fallback = np.zeros(len(data) + 1, dtype=np.int32)
    for start, end in spans:
        fallback[start] += 1
        fallback[end] -= 1
    in_fallback = np.cumsum(fallback)[:-1] > 0
    utf8_bytes = high[~in_fallback[high]]
    if not len(utf8_bytes):  # no valid UTF-8 sequence at all: a plain Windows file
        for encoding in _ENCODINGS[1:]:
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
    newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 0x0A)
    cp_lines = np.unique(np.searchsorted(newlines, np.array([s for s, _ in spans], dtype=np.int64)))
    utf8_lines = np.setdiff1d(np.unique(np.searchsorted(newlines, utf8_bytes)), cp_lines)
    if notes is not None:
        notes.append((N_("the file mixes text encodings: {utf8} lines were read as UTF-8 and {cp1252} lines as Windows-1252 "
                         "(cp1252), first on line {line}; check accented names there and save the file as UTF-8"),
                      {"utf8": len(utf8_lines), "cp1252": len(cp_lines), "line": int(cp_lines[0]) + 1}))
        listed = ", ".join(str(int(n) + 1) for n in cp_lines[:MIXED_LINES_LISTED])
        if len(cp_lines) > MIXED_LINES_LISTED:
            notes.append((N_("lines read as Windows-1252: {lines} and {more} more"),
                          {"lines": listed, "more": len(cp_lines) - MIXED_LINES_LISTED}))
        else:
            notes.append((N_("lines read as Windows-1252: {lines}"), {"lines": listed}))
    return text


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: undecodable bytes read as cp1252 (latin-1 where cp1252 has no character), their
    offsets recorded in the calling decode's list (a context variable: one list per call, never shared)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    raw = error.object[error.start:error.end]
    spans = _SPANS.get()
    if spans is not None:
        spans.append((error.start, error.end))
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in raw), error.end


_SPANS: contextvars.ContextVar[list[tuple[int, int]] | None] = contextvars.ContextVar("retention_decode_spans", default=None)
codecs.register_error("retention-cp1252", _cp1252_fallback)


_HEAD_BYTES = 2 << 20
"""Bytes decoded for the delimiter and the header when Arrow parses the bytes themselves."""
_VALIDATE_CHUNK = 1 << 20
_NOT_ASCII_SPACE = re.compile(rb"[^\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f ]")


def utf8_body(data: bytes) -> memoryview | None:
    """The bytes of a UTF-8 file without its byte-order mark, when all of it is valid UTF-8 (and not UTF-16); else None.

    Exactly the files `decode` decodes as `utf-8-sig`; checked a megabyte at a time, so no copy of the text is made.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(data[:4096]):
        return None
    view = memoryview(data)
    if data.startswith(codecs.BOM_UTF8):
        view = view[len(codecs.BOM_UTF8):]
    check = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(view), _VALIDATE_CHUNK):
            check.decode(view[start:start + _VALIDATE_CHUNK])
        check.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    return view


def _head_text(body: memoryview) -> str:
    """The start of a UTF-8 file as text: all of it when small, else its first two megabytes (whole characters),
    or more when those hold fewer lines than the delimiter sniffer looks at."""
    if len(body) <= _HEAD_BYTES:
        return str(body, "utf-8")
    head = codecs.getincrementaldecoder("utf-8")().decode(body[:_HEAD_BYTES])  # a cut character is left out
    if head.count("\n") > 21:
        return head
    return str(body, "utf-8")


def _blank(body: memoryview, head: str) -> bool:
    """`not text.strip()` for a UTF-8 file, without a stripped copy of the text."""
    found = _NOT_ASCII_SPACE.search(body)
    if found is None:
        return True
    if body[found.start()] < 0x80:
        return False
    return not (head if len(head.encode("utf-8")) == len(body) else str(body, "utf-8")).strip()


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
_EOF_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")


def read_table(data: bytes, file: str, delimiter: str | None = None, sheet: str | int | None = None,
               max_rows: int | None = None, *, dictionary: bool = False) -> pd.DataFrame:
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

        frame, name = read_xlsx(data, file, sheet, max_rows=max_rows)  # a workbook preview reads only its first rows
        notes: list[tuple[str, dict[str, object]]] = []
        frame = _tidy(frame, False, file, notes)
        frame.attrs["source"] = Source("xlsx", None, name)
        frame.attrs["notes"] = tuple(notes)
        return frame
    inner = unpack(data, file)
    if kind != "text" and container(inner) != "text":
        raise LoadError(file, N_("the archive does not hold a CSV file; unpack it and upload the CSV"))
    notes: list[tuple[str, dict[str, object]]] = []
    body = utf8_body(inner)
    if body is not None:
        # UTF-8 (the usual case): Arrow parses the upload's own bytes; only the file's start is decoded for the
        # delimiter and the header, and the whole text only if Arrow hands the file to pandas.
        head = _head_text(body)
        if _blank(body, head):
            raise LoadError(file, N_("the file is empty; export it again with a header row and data"))
        sep = delimiter or sniff_delimiter(head)
        frame = read_columns(body, sep, head)
        if frame is None:
            frame = _read_with_pandas(decode(inner, file, notes), sep, file)
        header = _header(head, sep)
        del body
        trim()  # the reader's threads freed their parse buffers: hand those pages back before typing starts
    else:
        text = decode(inner, file, notes)
        if not text.strip():
            raise LoadError(file, N_("the file is empty; export it again with a header row and data"))
        sep = delimiter or sniff_delimiter(text)
        frame = read_columns(text, sep)
        if frame is None:
            frame = _read_with_pandas(text, sep, file)
        header = _header(text, sep)
        del text
    if header is not None and len(header) == len(frame.columns) and len(set(header)) < len(header):
        frame.columns = header  # readers rename a repeated `id` (`id.1`); _tidy numbers it and says so
    frame = _tidy(frame, dictionary, file, notes)
    frame.attrs["source"] = Source("gzip" if kind == "gzip" else "zip" if kind == "zip" else "csv", sep, None)
    frame.attrs["notes"] = tuple(notes)
    return frame


def _read_with_pandas(text: str, sep: str, file: str) -> pd.DataFrame:
    """pandas' C reader: for the files Arrow's stricter reader refuses, and for its error messages."""
    try:
        # pandas only warns (ParserWarning) when the first records have more cells than the header, and drops the
        # extra cells: that would lose data silently, so the warning is an error here, named for the row.
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, skipinitialspace=True,
                skip_blank_lines=False, index_col=False, engine="c", na_filter=False,  # no NA scan: every cell stays text
            )
    except pd.errors.ParserWarning as exc:
        row, saw, expected = _widest_row(text, sep)
        raise LoadError(file, N_("this row has {saw} cells but the header has {expected}; check the delimiter and the quotes"),
                        {"saw": saw, "expected": expected}, row=row) from exc
    except pd.errors.ParserError as exc:
        found = _FIELDS_MSG.search(str(exc))
        quote = _EOF_QUOTE.search(str(exc))
        if quote:
            raise LoadError(
                file, N_("a quoted cell that starts on line {line} is never closed, so the rest of the file would be one cell; "
                         "check the quote marks (\") on that line"),
                {"line": int(quote.group(1)) + 1}, row=int(quote.group(1)) + 1,
            ) from exc
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


def _widest_row(text: str, sep: str) -> tuple[int | None, int, int]:
    """(spreadsheet row, cells, header cells) of the first record with more cells than the header."""
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    try:
        expected = len(next(reader))
        for number, record in enumerate(reader, start=2):
            if len(record) > expected:
                return number, len(record), expected
    except csv.Error:
        pass
    return None, 0, 0


def _header(text: str, sep: str) -> list[str] | None:
    """The header row's names as written (with repeats), read by the csv module."""
    try:
        return [name.strip() for name in next(csv.reader(io.StringIO(text[:1_000_000]), delimiter=sep))]
    except (csv.Error, StopIteration):
        return None


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
    """A column as plain text cells unless the caller takes dictionary-encoded (Categorical) columns
    and Arrow id columns (`ids`), which the canonical tables' importers read without a string per row."""
    if is_ids(values):
        return values if dictionary else as_text_cells(values)
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


def _tidy(frame: pd.DataFrame, dictionary: bool = False, file: str = "", notes: list | None = None) -> pd.DataFrame:
    """Strip cells, drop empty trailing columns and blank lines, name blank headers, de-duplicate names.

    A repeated name (two `customer_id` columns) keeps the first as it is and numbers the others
    (`customer_id (2)`); a note says so, and the mapping can pick any of them.
    """
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
    repeated: dict[str, list[int]] = {}
    for j, name in enumerate(final):
        repeated.setdefault(name, []).append(keep[j] + 1)
        if name in seen:
            seen[name] += 1
            final[j] = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
    for name, positions in repeated.items():
        if len(positions) > 1 and notes is not None:
            notes.append((N_("{n} columns are named '{name}' (columns {positions}); the first is used as '{name}', the others "
                             "are named '{name} (2)' and so on: choose another in the column mapping (CLI: --map)"),
                          {"n": len(positions), "name": name, "positions": ", ".join(map(str, positions))}))
    frame = frame[keep]
    frame.columns = final
    if len(frame.columns) and all(has_empty[i] for i in keep):  # a column without empty cells: no blank line
        filled = frame.ne("").any(axis=1)
        if not filled.all():
            frame = frame[filled]  # blank lines are not records
    return frame
