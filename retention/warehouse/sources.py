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

SUBSCRIPTION_COLUMNS = ("customer_id", "start_date", "end_date", "mrr", "trial_end")


def redact(url: str) -> str:
    """The URL without user, password and query string: `postgres://…@db.example.com:5432/billing`."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    auth = "…@" if parts.username or parts.password else ""
    return f"{parts.scheme}://{auth}{host}{port}{parts.path}"


def connect(url: str):
    """An Ibis backend for a source URL.

    `pyspark://local` starts (or reuses) a local Spark session; a Spark cluster or Databricks is
    reached the same way once `SparkSession.builder` is configured for it (`spark-submit`, Databricks
    Connect), or through `databricks://`.  Raises ValueError with the accepted forms for anything else
    that Ibis cannot open (the message never repeats the URL's credentials).
    """
    import ibis

    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme == "duckdb":
        path = re.sub(r"^duckdb://", "", url, flags=re.IGNORECASE)
        path = path[1:] if path.startswith("//") else path  # duckdb:///abs/path → /abs/path
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


def canonical_subscriptions(frame: pd.DataFrame) -> pa.Table:
    """The subscription columns the engine reads, typed: customer_id text, dates as dates, mrr float."""
    columns: dict[str, pa.Array] = {
        "customer_id": pa.array(frame["customer_id"].astype(str).tolist(), pa.string()),
        "start_date": _dates(frame["start_date"]),
        "end_date": _dates(frame["end_date"]) if "end_date" in frame else pa.nulls(len(frame), pa.date32()),
        "mrr": pa.array(frame["mrr"].to_numpy(dtype=float), pa.float64()),
    }
    if "trial_end" in frame:
        columns["trial_end"] = _dates(frame["trial_end"])
    return pa.table(columns)


def canonical_customers(frame: pd.DataFrame) -> pa.Table:
    """customer_id and every attribute column as text (blank = null), as segments compare them."""
    from retention.importing import attribute_columns

    columns = {"customer_id": pa.array(frame["customer_id"].astype(str).tolist(), pa.string())}
    for column in attribute_columns(frame):
        values = frame[column].where(frame[column].notna(), None)
        columns[str(column)] = pa.array([None if v is None else str(v) for v in values.tolist()], pa.string())
    return pa.table(columns)


def _dates(series: pd.Series) -> pa.Array:
    days = pd.to_datetime(series).dt.normalize()
    return pa.array([None if pd.isna(v) else v.date() for v in days], pa.date32())


def upload(con, name: str, table: pa.Table):
    """Write an Arrow table into the backend as `name` (replacing it) and return it as an Ibis table."""
    if con.name == "pyspark":
        con._session.createDataFrame(table).createOrReplaceTempView(name)
        return con.table(name)
    return con.create_table(name, table, overwrite=True)
