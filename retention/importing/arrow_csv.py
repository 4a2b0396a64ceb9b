"""Split CSV text into columns with Arrow's reader, each column dictionary-encoded.

Why: pandas' C reader turns every cell of a 500,000-row export into a Python string before a
single value is typed, and stripping, factorising and typing those strings cost several times
the read.  Arrow's multi-threaded reader keeps cells in Arrow memory; `dictionary_encode` gives
each column's distinct cells (a few thousand dates, amounts, plans in a big file) and an integer
code per row, so the cleaning (strip, blank checks) and the typing in `parse` work on the distinct
cells only, and a column becomes a pandas `Categorical` without creating a string per row.

Arrow's reader is stricter than pandas' in a few corners (rows with too few cells, blank lines
between records, a space before an opening quote, repeated header names); there `read_columns`
returns None and the caller reads the file the pandas way, so every file reads exactly as before.
"""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd

from retention.importing.ids import ID_DTYPE, from_arrow, is_ids

_HEADER_SAMPLE = 1 << 20
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
              "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
"""Exactly the characters `str.strip()` removes (every `c` with `c.isspace()`), for Arrow's `utf8_trim`."""
EMPTY_ATTR = "arrow_empty_columns"
"""`frame.attrs` key: per column, whether some (already stripped) cell is empty."""
_SAMPLE_ROWS = 10_000
"""Rows looked at to tell an id column (distinct cells) from a column of repeated values."""
_BLOCK = 1 << 20
"""Bytes Arrow parses per block: small blocks keep its parse buffers small next to a 200 MB upload."""
_QUOTE = re.compile(rb'"')
_SPACED_QUOTE = re.compile(rb'[ \t]"')


def _header(text: str, sep: str) -> list[str] | None:
    """The header's cells as pandas would name them, or None when the header is unusual."""
    head = text[:_HEADER_SAMPLE]
    try:
        names = next(csv.reader(io.StringIO(head), delimiter=sep))
    except (csv.Error, StopIteration):
        return None
    if not names or len(set(names)) != len(names) or any(n.strip() == "" for n in names):
        return None  # pandas renames blank and repeated headers ("Unnamed: 2", "plan.1"): read it the pandas way
    if any(n != n.lstrip() for n in names):
        return None  # pandas skips the space after a delimiter; keep its naming
    return names


def read_columns(text: str | bytes | memoryview, sep: str, head: str | None = None) -> pd.DataFrame | None:
    """A frame of stripped text columns, or None to read with pandas.

    `text` is the file's text, or its UTF-8 bytes (without a byte-order mark) with `head`, the
    decoded start of the file (the header and the first lines): the reader then parses the upload's
    own bytes, so neither a decoded copy of the file nor a re-encoded one is ever made (issue 21:
    a 200 MB upload must not cost three times its size before a cell is read).

    Columns with repeated cells are Categoricals; columns of (nearly) unique ids are Arrow-backed text
    (`ids.ID_DTYPE`), so no Python string is made per row.
    Arrow's table is taken apart one column at a time, so its memory goes back as the columns
    become pandas ones instead of both forms of every column living at once.

    The index is the record's row number as a spreadsheet shows it (header = row 1);
    `frame.attrs[EMPTY_ATTR]` says which columns have an empty cell, so no Python pass is needed.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if isinstance(text, str):
        head, body = text, memoryview(text.encode("utf-8"))
    else:
        body = memoryview(text)
        head = head if head is not None else bytes(body).decode("utf-8")
    has_quote = _QUOTE.search(body) is not None
    if has_quote and (_SPACED_QUOTE.search(body) is not None
                      and re.search(rb"(?:^|[\r\n]|" + re.escape(sep.encode("utf-8")) + rb")[ \t]+\"", body)):
        return None  # pandas' skipinitialspace reads `a, "b,c"` as two cells; Arrow would not
    names = _header(head, sep)
    if names is None:
        return None
    string = pa.string()
    pool = pa.system_memory_pool()  # freed buffers go back to malloc, not into a pool that keeps them
    try:
        batches = pacsv.open_csv(
            pa.BufferReader(pa.py_buffer(body)),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=has_quote, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, string), strings_can_be_null=False,
                                                 quoted_strings_can_be_null=False, check_utf8=False),
            read_options=pacsv.ReadOptions(block_size=_BLOCK),
            memory_pool=pool,
        )
        if batches.schema.names != names:
            return None
        columns = _Columns(names, pool)
        for batch in batches:
            columns.add(batch)
        return columns.frame()
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, ValueError):
        return None  # ragged rows, blank lines in a multi-column file, …: pandas reads (or explains) them


class _Columns:
    """The file's columns built batch by batch as Arrow's streaming reader parses the bytes (issue 21).

    Only one block of Arrow cells lives at a time: each batch is stripped and turned into the
    columns' final form at once (Arrow text for id columns, dictionary codes for the others),
    instead of Arrow holding every cell of the file while pandas builds its copy.  Which columns are
    ids is decided on the first `_SAMPLE_ROWS` rows, as when the whole table was read first.
    """

    def __init__(self, names: list[str], pool) -> None:
        self.names = names
        self.pool = pool
        self.waiting: list = []  # batches read before the first _SAMPLE_ROWS rows are in
        self.waiting_rows = 0
        self.ids: list[bool] | None = None
        self.parts: list[list] = [[] for _ in names]
        self.empty = [False] * len(names)
        self.rows = 0

    def add(self, batch) -> None:
        if self.ids is None:
            self.waiting.append(batch)
            self.waiting_rows += batch.num_rows
            if self.waiting_rows >= _SAMPLE_ROWS:
                self._decide()
            return
        self._convert(batch)

    def _decide(self) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        head = pa.Table.from_batches(self.waiting, schema=self.waiting[0].schema) if self.waiting else None
        self.ids = []
        for i in range(len(self.names)):
            if head is None:
                self.ids.append(False)
                continue
            sample = self._trim(head.column(i).slice(0, _SAMPLE_ROWS).combine_chunks())
            self.ids.append(len(sample) > 100 and pc.count_distinct(sample).as_py() > len(sample) // 2)
        del head
        waiting, self.waiting = self.waiting, []
        for batch in waiting:
            self._convert(batch)

    def _trim(self, cells):
        import pyarrow.compute as pc

        return pc.utf8_trim(cells, characters=WHITESPACE, memory_pool=self.pool)  # str.strip, in Arrow

    def _convert(self, batch) -> None:
        import pyarrow.compute as pc

        self.rows += batch.num_rows
        for i in range(len(self.names)):
            if self.ids[i]:
                cells = self._trim(batch.column(i))
                if not self.empty[i] and len(cells):
                    self.empty[i] = pc.min(pc.binary_length(cells)).as_py() == 0
                self.parts[i].append(cells)  # ids stay Arrow text (`ids`): no Python string per row
            else:  # stripped and checked for empty cells once per distinct cell, in `frame`
                self.parts[i].append(pc.dictionary_encode(batch.column(i), memory_pool=self.pool))

    def _stripped(self, codes: np.ndarray, dictionary) -> tuple[np.ndarray, np.ndarray]:
        """(codes, categories) of a column once its distinct cells are stripped: cells that differ only by
        surrounding whitespace (" Pro" and "Pro") become one category, in order of first appearance, as when
        every cell was stripped before encoding."""
        cells = self._trim(dictionary).to_numpy(zero_copy_only=False).astype(object)
        merged, categories = pd.factorize(cells, use_na_sentinel=False)
        if len(categories) == len(cells):
            return codes, cells
        return merged.astype(np.int32).take(codes), np.asarray(categories, dtype=object)

    def frame(self) -> pd.DataFrame:
        import pyarrow as pa

        if self.ids is None:
            self._decide()
        columns = {}
        for i, name in enumerate(self.names):
            parts, self.parts[i] = self.parts[i], []
            if self.ids[i]:
                columns[name] = from_arrow(parts or [pa.array([], type=pa.string())])
                continue
            if not parts:
                encoded = pa.array([], type=pa.string()).dictionary_encode()
            else:  # one dictionary for the column, its cells in order of first appearance as in a whole-column encode
                encoded = pa.chunked_array(parts).unify_dictionaries(memory_pool=self.pool).combine_chunks(memory_pool=self.pool)
            del parts
            codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int32, copy=False)
            codes, categories = self._stripped(codes, encoded.dictionary)
            self.empty[i] = bool(len(codes)) and bool((categories == "").any())  # every category is some row's cell
            columns[name] = pd.Categorical.from_codes(codes, categories=pd.Index(categories, dtype=object), validate=False)
        frame = pd.DataFrame(columns, columns=self.names, copy=False)
        frame.index = pd.RangeIndex(2, self.rows + 2, name="row")
        frame.attrs[EMPTY_ATTR] = self.empty
        return frame


def plain_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The same table with every Categorical or Arrow id column expanded to plain text (object) cells.

    Code that treats cells as strings (`fillna("")`, concatenation, assignment of new values) gets
    this form; the typing steps read the Categorical form.  Expanding is one `take` per column.
    """
    if not any(isinstance(dtype, pd.CategoricalDtype) or dtype == ID_DTYPE for dtype in frame.dtypes):
        return frame
    columns = {}
    for i in range(len(frame.columns)):
        values = frame.iloc[:, i]
        if isinstance(values.dtype, pd.CategoricalDtype):
            cells = values.cat.categories.to_numpy(dtype=object)
            codes = values.cat.codes.to_numpy()
            expanded = cells.take(codes)
            if (codes < 0).any():
                expanded[codes < 0] = np.nan
            columns[i] = expanded
        elif is_ids(values):
            columns[i] = values.to_numpy(dtype=object)
        else:
            columns[i] = values.to_numpy()
    plain = pd.DataFrame(columns, index=frame.index, copy=False)
    plain.columns = frame.columns
    plain.attrs = dict(frame.attrs)
    return plain
