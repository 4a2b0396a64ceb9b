"""The warehouse engine: every metric of METRICS.md §2–§7 run inside the database through Ibis.

`IbisEngine` answers the same `Query`s as the in-memory NumPy reference (`retention.engine`) over
tables that live in DuckDB, PostgreSQL, Spark or any other Ibis backend; only per-period results
come back.  `steps` holds the expressions, one per grain; `calendar` the period table made in Python.
"""

from retention.warehouse.engine import IbisEngine

__all__ = ["IbisEngine"]
