"""Reading founders' files into the canonical tables of METRICS.md §1."""

from retention.importing.errors import LoadError
from retention.importing.result import LoadResult
from retention.importing.tables import (
    attribute_columns,
    customers_from_frame,
    load_customers,
    load_subscriptions,
    subscriptions_from_frame,
)

__all__ = [
    "LoadError", "LoadResult", "attribute_columns", "customers_from_frame", "load_customers",
    "load_subscriptions", "subscriptions_from_frame",
]
