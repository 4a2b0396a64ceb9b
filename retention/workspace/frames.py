"""Canonical tables in and out of DuckDB through Arrow, with their pandas types restored.

DuckDB stores plain columns; the engine expects the importer's exact pandas types: naive
`datetime64[ns]` dates, UTC timestamps for events, categoricals for event and survey codes, text
as Python strings (ids as Arrow text), the source row number as the index.  `describe` records what a frame needs
(as JSON kept beside the table) and `restore` puts it back after an Arrow read, so a saved data
set loads into the engine exactly as the upload did, without a pass over the rows in Python.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from retention.importing.ids import ID_DTYPE, from_arrow

ROW = "_row"
MAX_KEPT_CATEGORIES = 256


def describe(frame: pd.DataFrame) -> dict[str, Any]:
    """Column order, per-column pandas type, index name and attrs, all JSON-ready."""
    columns: dict[str, dict[str, Any]] = {}
    for name, series in frame.items():
        dtype = series.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            # A short code list (survey kinds) keeps its order; a long one (user ids) is rebuilt sorted.
            few = len(dtype.categories) <= MAX_KEPT_CATEGORIES
            columns[str(name)] = {"type": "category", **({"categories": [str(c) for c in dtype.categories]} if few else {})}
        elif isinstance(dtype, pd.DatetimeTZDtype):
            columns[str(name)] = {"type": "datetime", "tz": str(dtype.tz)}
        elif pd.api.types.is_datetime64_dtype(dtype):
            columns[str(name)] = {"type": "datetime"}
        elif dtype == ID_DTYPE:
            columns[str(name)] = {"type": "ids"}
        elif pd.api.types.is_object_dtype(dtype):
            columns[str(name)] = {"type": "text"}
        else:
            columns[str(name)] = {"type": str(dtype)}
    return {
        "columns": columns,
        "order": [str(c) for c in frame.columns],
        "index": frame.index.name,
        "attrs": {k: v for k, v in frame.attrs.items() if isinstance(v, (str, int, float, bool, type(None)))},
    }


def to_arrow(frame: pd.DataFrame) -> pa.Table:
    """The frame as an Arrow table DuckDB can store: categoricals as text, the index as `_row`."""
    data: dict[str, pa.Array] = {}
    if frame.index.name is not None:
        data[ROW] = pa.array(pd.to_numeric(pd.Series(frame.index), errors="coerce"), type=pa.int64())
    for name, series in frame.items():
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.astype(object).where(series.notna(), None)
        if series.dtype == ID_DTYPE:
            data[str(name)] = series.array.__arrow_array__()
        elif series.dtype == object:
            try:
                data[str(name)] = pa.array(series, type=pa.string(), from_pandas=True)
            except (pa.ArrowTypeError, pa.ArrowInvalid):  # mixed cells (a reject's row number): keep them as text
                data[str(name)] = pa.array(series.where(series.isna(), series.astype(str)), type=pa.string(), from_pandas=True)
        else:
            data[str(name)] = pa.array(series, from_pandas=True)
    if not data:
        return pa.table({})
    return pa.table(data)


def restore(table: pa.Table, description: dict[str, Any]) -> pd.DataFrame:
    """A pandas frame with the types `describe` recorded, from an Arrow table read from DuckDB.

    Speed matters here (a saved 200,000-customer dataset should open in well under a second): each
    column is converted once, straight into the type it needs, with no reordering copy, no
    consolidation of columns into 2-D blocks and no date parsing of columns that are dates already.
    The one unavoidable cost is a Python string object per text cell (ids, names), which the engine
    and the pages expect; their equal strings are not deduplicated (hashing every cell costs more
    than the memory it saves).
    """
    columns = description["columns"]
    data: dict[str, Any] = {}
    for name in description["order"]:
        if name not in table.column_names:
            continue
        data[name] = _column(table.column(name), columns.get(name, {"type": "text"}))
    length = table.num_rows
    if ROW in table.column_names:
        index = pd.Index(table.column(ROW).to_numpy(), name=description.get("index"))
    else:
        index = pd.RangeIndex(length, name=description.get("index"))
    frame = pd.DataFrame(data, index=index, copy=False) if data else pd.DataFrame(index=index)
    frame.attrs.update(description.get("attrs", {}))
    return frame


def _column(column: pa.ChunkedArray, spec: dict[str, Any]) -> Any:
    """One Arrow column as the pandas values `spec` asks for."""
    kind = spec["type"]
    if kind == "category":
        values = column.to_pandas(deduplicate_objects=False)
        categories = spec.get("categories")
        return values.astype(pd.CategoricalDtype(categories) if categories is not None else "category").array
    if kind == "datetime":
        values = column.to_pandas(coerce_temporal_nanoseconds=True)
        if not pd.api.types.is_datetime64_any_dtype(values.dtype):
            values = pd.to_datetime(values)
        tz = getattr(values.dtype, "tz", None)
        if spec.get("tz"):
            values = (values.dt.tz_localize("UTC") if tz is None else values).dt.tz_convert(spec["tz"])
        elif tz is not None:
            values = values.dt.tz_convert("UTC").dt.tz_localize(None)
        if isinstance(values.dtype, np.dtype) and values.dtype != np.dtype("datetime64[ns]"):
            values = values.astype("datetime64[ns]")
        return values.array
    # Plain NumPy arrays, not pandas' NumPy-backed extension arrays: the DataFrame constructor takes an
    # ndarray as it is, but re-checks every cell of an extension array for missing values (0.2 s for the
    # text columns of 200,000 customers).
    if kind == "ids":  # Arrow text stays Arrow text: no Python string per id (issue 21)
        return from_arrow(column.cast(pa.string()) if column.type != pa.string() else column)
    if kind == "text":
        values = column.to_pandas(deduplicate_objects=False)
        return values.to_numpy(dtype=object, copy=False)
    values = column.to_pandas()
    if kind in _NUMPY and values.dtype != np.dtype(kind):
        values = values.astype(kind)
    return values.to_numpy(copy=False) if isinstance(values.dtype, np.dtype) else values.array


_NUMPY = {"float64", "int64", "bool", "float32", "int32"}


def fingerprint(frame: pd.DataFrame) -> str:
    """A sha256 of a table's content (columns, types, cells; not the row numbers): equal tables share storage."""
    import hashlib

    digest = hashlib.sha256(json.dumps(describe(frame)["columns"], sort_keys=True).encode())
    digest.update(json.dumps([str(c) for c in frame.columns]).encode())
    if len(frame.columns):
        digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def sql_type(field: pa.Field) -> str:
    """DuckDB column type for an Arrow field (used when a table must be created empty)."""
    t = field.type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "VARCHAR"
    if pa.types.is_timestamp(t):
        return "TIMESTAMPTZ" if t.tz else "TIMESTAMP"
    if pa.types.is_floating(t):
        return "DOUBLE"
    if pa.types.is_integer(t):
        return "BIGINT"
    if pa.types.is_boolean(t):
        return "BOOLEAN"
    return "VARCHAR"
