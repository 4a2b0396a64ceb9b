"""A loaded data set: the imported tables with their rejects, and the engine that answers queries on them.

The app keeps one `Dataset` per browser session; the CLI builds one per command.  Both go through
`load_dataset` (paths or uploaded bytes alike), so a file reads the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from retention.engine.numpy_engine import NumpyEngine
from retention.engine.query import Query
from retention.engine.snapshots import SnapshotModel
from retention.i18n import N_
from retention.importing import (
    LoadError,
    LoadResult,
    StatusPolicy,
    customers_from_attributes,
    load_customers,
    load_subscriptions,
    read_rates,
)
from retention.importing.bounds import history_start
from retention.importing.ledger import LedgerSettings

DEFAULT_CURRENCY = "USD"
"""The reporting currency assumed when a file names none (the Data page says so)."""


@dataclass(frozen=True)
class InputFile:
    """One file to import: its bytes, its name (for messages), a column mapping and read options.

    `options` are the importer's keyword arguments for this file (preset, date_order, sheet,
    reporting_currency, rates); the app fills them from the Data page, the CLI from its flags.
    """

    data: bytes
    name: str
    mapping: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, object] = field(default_factory=dict)
    parsed: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    """Every row of the file as `importing.parsed_rows` read it, when the caller has them (the Data page): the
    importer types them instead of parsing `data` again."""

    @classmethod
    def read(cls, path: str | Path, mapping: Mapping[str, str] | None = None, **options: object) -> InputFile:
        """Read a file from disk; a missing file or a folder is a `LoadError` naming it."""
        return cls(read_bytes(path), Path(path).name, dict(mapping or {}), options)


FileLike = str | Path | InputFile


@dataclass
class Dataset:
    """Imported tables and the engine over them (built once, cached per as-of date inside it)."""

    subscriptions: LoadResult
    customers: LoadResult | None = None
    extra: dict[str, LoadResult] = field(default_factory=dict)  # "events", "surveys", "churn_reasons"
    _engine: NumpyEngine | None = field(default=None, repr=False)
    _history: list = field(default_factory=list, repr=False)  # memo of history_start()
    _memo: dict = field(default_factory=dict, repr=False)  # values derived from the tables once (currency…)

    def engine(self) -> NumpyEngine:
        """The engine answering `Query`s on this data set (the in-memory reference engine)."""
        if self._engine is None:
            self._engine = NumpyEngine(self.subscriptions.table, self.customers_table)
        return self._engine

    @property
    def events(self) -> LoadResult | None:
        """Product usage events, when loaded."""
        return self.extra.get("events")

    @property
    def surveys(self) -> LoadResult | None:
        """NPS/CSAT answers, when loaded."""
        return self.extra.get("surveys")

    @property
    def churn_reasons(self) -> LoadResult | None:
        """Cancellations with their reasons and comments, when loaded."""
        return self.extra.get("churn_reasons")

    def default_as_of(self) -> pd.Timestamp:
        """Latest date in the subscriptions, never after today."""
        return self.engine().default_as_of()

    def model(self, as_of: pd.Timestamp | str | date | None = None) -> SnapshotModel:
        """The snapshot model as of a day (default: the data's own as-of), built once per day."""
        return self.engine().model(pd.Timestamp(as_of) if as_of is not None else None)

    @property
    def customers_table(self) -> pd.DataFrame | None:
        return self.customers.table if self.customers is not None else None

    def segments(self) -> dict[str, list[str]]:
        """Attribute column -> sorted distinct values, for segment pickers (see `engine.membership`)."""
        return self.engine().segments()

    def metrics(self, query: Query | None = None, as_of: pd.Timestamp | str | None = None) -> pd.DataFrame:
        """The metrics table of `query` (a shortcut for notebooks; `as_of` overrides the query's)."""
        query = query or Query()
        if as_of is not None:
            query = query.but(as_of=pd.Timestamp(as_of))
        return self.engine().metrics(query)

    def currency(self) -> str:
        """The reporting currency: the one most amounts are in, `DEFAULT_CURRENCY` when the file names none.

        Read once per data set: every chart and table asks, and stripping 40,000 cells each time cost a page
        more than its metrics."""
        if "currency" not in self._memo:
            self._memo["currency"] = self._most_common_currency()
        return self._memo["currency"]

    def _most_common_currency(self) -> str:
        table = self.subscriptions.table
        if "currency" in table:
            values = table["currency"].astype(str).str.strip()
            values = values[values.ne("") & values.ne("NAN") & values.ne("nan")]
            if not values.empty:
                return str(values.mode().iloc[0])
        return DEFAULT_CURRENCY

    def currency_assumed(self) -> bool:
        """True when no file said which currency its amounts are in (read once per data set, like `currency`)."""
        if "currency_assumed" not in self._memo:
            self._memo["currency_assumed"] = self._no_currency_named()
        return self._memo["currency_assumed"]

    def _no_currency_named(self) -> bool:
        table = self.subscriptions.table
        return "currency" not in table or table["currency"].astype(str).str.strip().replace({"nan": "", "NAN": ""}).eq("").all()

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
        if not self._history:
            self._history.append(history_start(self.subscriptions.table["start_date"]))
        return self._history[0]


def read_bytes(path: str | Path) -> bytes:
    path = Path(path)
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise LoadError(str(path), N_("file not found; check the path")) from exc
    except IsADirectoryError as exc:
        raise LoadError(str(path), N_("is a folder, not a file")) from exc


def _input(file: FileLike) -> InputFile:
    return file if isinstance(file, InputFile) else InputFile.read(file)


_SUBSCRIPTION_OPTIONS = ("preset", "date_order", "sheet", "reporting_currency", "rates", "status_policy", "ledger_settings")
_CUSTOMER_OPTIONS = ("date_order", "sheet")


def load_dataset(
    subscriptions: FileLike,
    customers: FileLike | None = None,
    mapping: Mapping[str, str] | None = None,
    *,
    events: FileLike | None = None,
    surveys: FileLike | None = None,
    churn_reasons: FileLike | None = None,
    preset: str | None = None,
    date_order: str | None = None,
    sheet: str | None = None,
    reporting_currency: str | None = None,
    rates: Mapping[str, float] | str | Path | None = None,
    status_policy: StatusPolicy | Mapping[str, str] | None = None,
    ledger_settings: LedgerSettings | None = None,
) -> Dataset:
    """Load subscriptions (and customers, events, surveys, churn reasons) from paths or uploaded bytes.

    Parameters
    ----------
    subscriptions, customers, events, surveys, churn_reasons: a path, or an `InputFile` (bytes + name + its own
        mapping and options, as the Data page makes them).
    mapping: canonical -> source column, for files given as paths (customer fields apply to the
        customers file too).
    preset, date_order, sheet, reporting_currency, rates, status_policy, ledger_settings: read options for
        files given as paths; `rates` is a dict or the path of a CSV `currency,rate_to_reporting`;
        `ledger_settings` the grace period of a payment history.

    Without a customers file, attributes carried by the subscriptions file (Stripe metadata)
    become the customers.  Raises `LoadError` naming file, row and column on bad input.
    """
    mapping = dict(mapping or {})
    if isinstance(rates, (str, Path)):
        rates = read_rates(read_bytes(rates), Path(rates).name)
    given = {"preset": preset, "date_order": date_order, "sheet": sheet, "reporting_currency": reporting_currency,
             "rates": rates, "status_policy": status_policy, "ledger_settings": ledger_settings}
    subs_file = subscriptions if isinstance(subscriptions, InputFile) else InputFile.read(
        subscriptions, mapping, **{k: v for k, v in given.items() if v is not None})
    subs = load_subscriptions(subs_file.data, subs_file.name, dict(subs_file.mapping), parsed=subs_file.parsed,
                              **{k: v for k, v in subs_file.options.items() if k in _SUBSCRIPTION_OPTIONS and v is not None})
    cust = _load_customers(customers, mapping, date_order) if customers is not None else customers_from_attributes(subs)
    extra: dict[str, LoadResult] = {}
    if events is not None:
        from retention.importing.events import load_events

        file = _input(events)
        extra["events"] = load_events(file.data, file.name, dict(file.mapping) or None, subscriptions=subs.table)
    if surveys is not None:
        from retention.importing.surveys import load_surveys

        file = _input(surveys)
        extra["surveys"] = load_surveys(file.data, file.name, dict(file.mapping) or None)
    if churn_reasons is not None:
        from retention.importing.churn_reasons import load_churn_reasons

        file = _input(churn_reasons)
        extra["churn_reasons"] = load_churn_reasons(file.data, file.name, dict(file.mapping) or None)
    return Dataset(subs, cust, extra)


def _load_customers(customers: FileLike, mapping: Mapping[str, str], date_order: str | None) -> LoadResult:
    """Customers from a path (with the customer fields of `mapping`) or an InputFile (with its own)."""
    if isinstance(customers, InputFile):
        options = {k: v for k, v in customers.options.items() if k in _CUSTOMER_OPTIONS and v is not None}
        return load_customers(customers.data, customers.name, dict(customers.mapping), parsed=customers.parsed, **options)
    file = InputFile.read(customers)
    cust_map = {k: v for k, v in mapping.items() if k in ("customer_id", "signup_date")}
    try:
        return load_customers(file.data, file.name, cust_map, date_order=date_order)
    except LoadError:
        if not cust_map:
            raise
        return load_customers(file.data, file.name, date_order=date_order)
