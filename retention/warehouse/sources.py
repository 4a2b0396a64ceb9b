"""Where the data lives: connection URLs to Ibis backends, and canonical tables put into them.

`connect("duckdb:///billing.duckdb")`, `connect("postgres://user@host/db")`, `connect("pyspark://local")`
and every other scheme `ibis.connect` knows (bigquery://, snowflake://, databricks://, …) give an Ibis
backend; only the URL changes between them.  `upload` writes a canonical table (the importer's
output) into a backend with an explicit Arrow schema, so an all-empty column still has its type; the
tests and benchmarks use it to put the same data into every engine.

URLs carry credentials: `redact` is the only form of a URL that may be shown, logged or exported.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pandas as pd
import pyarrow as pa


def redact(url: str) -> str:
    """The URL without user, password and query string: `postgres://…@db.example.com:5432/billing`."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    auth = "…@" if parts.username or parts.password else ""
    return f"{parts.scheme}://{auth}{host}{port}{parts.path}"


def connect(url: str, *, read_only: bool = False):
    """An Ibis backend for a source URL.

    `pyspark://local` starts (or reuses) a local Spark session; a Spark cluster or Databricks is
    reached the same way once `SparkSession.builder` is configured for it (`spark-submit`, Databricks
    Connect), or through `databricks://`.  Raises ValueError with the accepted forms for anything else
    that Ibis cannot open (the message never repeats the URL's credentials).  `read_only` opens a DuckDB
    file without write access (the app's named connections), so a missing file is an error, not a new
    empty database.
    """
    import ibis

    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme == "duckdb":
        path = re.sub(r"^duckdb://", "", url, flags=re.IGNORECASE)
        path = path[1:] if path.startswith("//") else path  # duckdb:///abs/path → /abs/path
        if read_only and path and path != ":memory:":
            return ibis.duckdb.connect(path, read_only=True)
        return ibis.duckdb.connect(path or ":memory:")
    if scheme == "pyspark":
        from pyspark.sql import SparkSession

        builder = SparkSession.builder.appName("retention")
        if urlsplit(url).hostname in (None, "", "local"):
            builder = builder.master("local[*]").config("spark.ui.enabled", "false")
        builder = builder.config("spark.sql.session.timeZone", "UTC")
        return ibis.pyspark.connect(builder.getOrCreate())
    if scheme in ("postgres", "postgresql"):
        return ibis.connect("postgres://" + url.split("://", 1)[1])
    if not scheme:
        raise ValueError("a source is a URL: duckdb:///path/to/file.duckdb, postgres://user@host:5432/db, pyspark://local")
    try:
        return ibis.connect(url)
    except Exception as exc:  # noqa: BLE001 - Ibis raises many kinds; the user needs the scheme, not a traceback
        raise ValueError(f"cannot open {redact(url)}: {type(exc).__name__}: {_scrub(str(exc), url)}") from None


def _scrub(message: str, url: str) -> str:
    parts = urlsplit(url)
    for secret in (parts.password, parts.username, url):
        if secret:
            message = message.replace(secret, "…")
    return message


DATE_COLUMNS = ("start_date", "end_date", "trial_end", "signup_date")


def canonical_subscriptions(frame: pd.DataFrame) -> pa.Table:
    """An imported subscriptions table, typed for any backend: ids and text as strings, dates as dates,
    numbers as numbers (an all-empty column keeps a type, which a database needs)."""
    out = frame.copy()
    if "end_date" not in out:
        out["end_date"] = pd.NaT
    return _typed(out)


def canonical_customers(frame: pd.DataFrame) -> pa.Table:
    """An imported customers table: customer_id and attribute columns as text (exactly the text segment
    membership compares, so 10 stays "10"), dates as dates."""
    out = frame.copy()
    for name in out.columns:
        if name not in DATE_COLUMNS and not pd.api.types.is_datetime64_any_dtype(out[name]):
            text = out[name].where(out[name].notna(), "").astype(str)
            out[name] = text.where(text.str.strip() != "", None).astype(object)
    return _typed(out)


def _typed(frame: pd.DataFrame) -> pa.Table:
    columns: dict[str, pa.Array] = {}
    for name in frame.columns:
        series = frame[name]
        if name in DATE_COLUMNS or pd.api.types.is_datetime64_any_dtype(series):
            days = pd.to_datetime(series).dt.normalize()
            columns[str(name)] = pa.array([None if pd.isna(v) else v.date() for v in days], pa.date32())
        elif name != "customer_id" and pd.api.types.is_bool_dtype(series):
            columns[str(name)] = pa.array(series.tolist(), pa.bool_())
        elif name != "customer_id" and pd.api.types.is_numeric_dtype(series):
            columns[str(name)] = pa.array(series.to_numpy(dtype=float), pa.float64(), from_pandas=True)
        else:
            columns[str(name)] = pa.array([None if _blank(v) else str(v) for v in series.tolist()], pa.string())
    return pa.table(columns)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value is pd.NaT or value is pd.NA


def upload(con, name: str, table: pa.Table):
    """Write an Arrow table into the backend as `name` (replacing it) and return it as an Ibis table."""
    if con.name == "pyspark":
        con._session.createDataFrame(table).createOrReplaceTempView(name)
        return con.table(name)
    return con.create_table(name, table, overwrite=True)
