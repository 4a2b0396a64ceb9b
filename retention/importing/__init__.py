"""Reading founders' files into the canonical tables of METRICS.md §1.

Formats (Stripe, Chargebee, Paddle, ChartMogul, Baremetrics, dbt, generic) are detected from
the header; containers, encodings, delimiters, number and date formats from the bytes; every
row is either used or rejected with a reason.
"""

from retention.importing.currency import read_rates
from retention.importing.errors import AmbiguousDateOrder, LoadError
from retention.importing.excel import sheet_names
from retention.importing.mapping import SavedMapping, mapping_from_json, mapping_to_json
from retention.importing.presets import PRESETS, Preset, detect_preset
from retention.importing.result import LoadResult
from retention.importing.status import DEFAULT_STATUS_POLICY, StatusPolicy
from retention.importing.tables import (
    SUBSCRIPTION_COLUMNS,
    attribute_columns,
    customers_from_attributes,
    customers_from_frame,
    load_customers,
    load_subscriptions,
    parsed_rows,
    preview,
    subscriptions_from_frame,
    suggest_mapping,
    whole_file,
)

__all__ = [
    "DEFAULT_STATUS_POLICY", "PRESETS", "SUBSCRIPTION_COLUMNS", "AmbiguousDateOrder", "LoadError", "LoadResult", "Preset",
    "SavedMapping", "StatusPolicy", "attribute_columns", "customers_from_attributes", "customers_from_frame", "detect_preset",
    "load_customers", "load_subscriptions", "mapping_from_json", "mapping_to_json", "parsed_rows", "preview", "read_rates",
    "sheet_names", "subscriptions_from_frame", "suggest_mapping", "whole_file",
]
