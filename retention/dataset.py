"""A loaded data set: the imported tables with their rejects, and the cached snapshot model.

The app keeps one `Dataset` per browser session; the CLI builds one per command.  Both go
through `load_dataset`, so a file reads the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from retention.engine.metrics import Query, compute_metrics
from retention.engine.snapshots import SnapshotModel, build_model, default_as_of
from retention.i18n import N_
from retention.importing import (
    LoadError,
    LoadResult,
    StatusPolicy,
    attribute_columns,
    customers_from_attributes,
    load_customers,
    load_subscriptions,
    read_rates,
)
from retention.importing.bounds import history_start

MAX_SEGMENT_VALUES = 50


@dataclass
class Dataset:
    """Imported tables plus a cache of snapshot models keyed by as-of date."""

    subscriptions: LoadResult
    customers: LoadResult | None = None
    extra: dict[str, LoadResult] = field(default_factory=dict)  # events, surveys, …
    _models: dict = field(default_factory=dict, repr=False)

    def default_as_of(self) -> pd.Timestamp:
        """Latest date in the subscriptions, never after today."""
        if "_as_of" not in self._models:
            self._models["_as_of"] = default_as_of(self.subscriptions.table)
        return self._models["_as_of"]

    def model(self, as_of: pd.Timestamp | str | date | None = None) -> SnapshotModel:
        """The snapshot model as of a day (default: the data's own as-of), built once per day."""
        key = pd.Timestamp(as_of).normalize() if as_of is not None else self.default_as_of()
        if key not in self._models:
            self._models[key] = build_model(self.subscriptions.table, key)
        return self._models[key]

    @property
    def customers_table(self) -> pd.DataFrame | None:
        return self.customers.table if self.customers is not None else None

    def segments(self) -> dict[str, list[str]]:
        """Attribute column -> sorted distinct values, for segment pickers.

        Columns with more than `MAX_SEGMENT_VALUES` distinct values (names, e-mails, ids) are
        not segments: a split into hundreds of one-customer groups tells nothing.
        """
        if "_segments" in self._models:
            return self._models["_segments"]
        table = self.customers_table
        found: dict[str, list[str]] = {}
        if table is not None:
            for column in attribute_columns(table):
                values = table[column].dropna().astype(str)
                distinct = values[values.ne("")].unique()
                if 1 <= len(distinct) <= MAX_SEGMENT_VALUES:
                    found[column] = sorted(distinct)
        self._models["_segments"] = found
        return found

    def metrics(self, query: Query = Query(), as_of: pd.Timestamp | str | None = None) -> pd.DataFrame:
        return compute_metrics(self.model(as_of), query, self.customers_table)

    def results(self) -> list[LoadResult]:
        return [r for r in (self.subscriptions, self.customers, *self.extra.values()) if r is not None]

    def rejects(self) -> pd.DataFrame:
        parts = [r.rejects for r in self.results() if len(r.rejects)]
        if not parts:
            return self.subscriptions.rejects.iloc[0:0]
        return pd.concat(parts, ignore_index=True)

    def flagged(self) -> pd.DataFrame:
        """Rows used but worth checking (dates far from the rest of the data), like `rejects()`."""
        parts = [r.flagged for r in self.results() if r.flagged is not None and len(r.flagged)]
        if not parts:
            return self.subscriptions.rejects.iloc[0:0]
        return pd.concat(parts, ignore_index=True)

    def history_start(self) -> pd.Timestamp | None:
        """The first start date of the data's real history (dates far before the rest left out)."""
        if "_history_start" not in self._models:
            self._models["_history_start"] = history_start(self.subscriptions.table["start_date"])
        return self._models["_history_start"]


def read_bytes(path: str | Path) -> bytes:
    path = Path(path)
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise LoadError(str(path), N_("file not found; check the path")) from exc
    except IsADirectoryError as exc:
        raise LoadError(str(path), N_("is a folder, not a file")) from exc


def load_dataset(
    subscriptions: str | Path,
    customers: str | Path | None = None,
    mapping: Mapping[str, str] | None = None,
    *,
    preset: str | None = None,
    date_order: str | None = None,
    sheet: str | None = None,
    reporting_currency: str | None = None,
    rates: Mapping[str, float] | str | Path | None = None,
    status_policy: StatusPolicy | Mapping[str, str] | None = None,
) -> Dataset:
    """Load subscriptions (and customers) from files; `mapping` is canonical -> source column.

    `rates` is a dict or the path of a CSV `currency,rate_to_reporting`.  Without a customers
    file, attributes carried by the subscriptions file (Stripe metadata) become the customers.
    """
    mapping = dict(mapping or {})
    if isinstance(rates, (str, Path)):
        rates = read_rates(read_bytes(rates), Path(rates).name)
    subs = load_subscriptions(
        read_bytes(subscriptions), Path(subscriptions).name, mapping, preset=preset, date_order=date_order, sheet=sheet,
        reporting_currency=reporting_currency, rates=rates, status_policy=status_policy,
    )
    cust = None
    if customers is not None:
        cust_map = {k: v for k, v in mapping.items() if k in ("customer_id", "signup_date")}
        try:
            cust = load_customers(read_bytes(customers), Path(customers).name, cust_map, date_order=date_order)
        except LoadError:
            if not cust_map:
                raise
            cust = load_customers(read_bytes(customers), Path(customers).name, date_order=date_order)
    else:
        cust = customers_from_attributes(subs)
    return Dataset(subs, cust)
