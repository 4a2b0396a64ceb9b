"""A data set that lives in a database: what the app shows of a named connection.

It answers what pages ask of a loaded data set (`engine()`, `segments()`, `currency()`, the default
as-of date, events and surveys) the way `retention.dataset.Dataset` does for uploaded files, but the
engine is an `IbisEngine` over the database's tables and nothing row-level is kept in Python: the
intake counts rows read, used and rejected by reason inside the database.  It never holds the URL.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from retention.dataset import DEFAULT_CURRENCY
from retention.warehouse.canonical import Intake
from retention.warehouse.engine import IbisEngine


@dataclass
class WarehouseDataset:
    """One opened named connection (see `retention.warehouse.connections`)."""

    connection: str  # the name of its block in secrets.toml
    label: str  # what users see
    backend: str  # duckdb, postgres, pyspark…
    table: str  # the subscriptions table, or the preset read
    intake: Intake = field(repr=False)
    _engine: IbisEngine = field(repr=False)
    currency_code: str | None = None
    extra: dict = field(default_factory=dict)  # no events or surveys come from a database (yet)

    def engine(self) -> IbisEngine:
        """The warehouse engine answering `Query`s inside the database."""
        return self._engine

    subscriptions = None
    """No `LoadResult` of the subscriptions: their rows stay in the database (pages that read row-level
    subscriptions, such as committed MRR or billing statuses of churns, go without them)."""

    @property
    def events(self) -> None:
        return None

    @property
    def churn_reasons(self) -> None:
        return None

    @property
    def surveys(self) -> None:
        return None

    @property
    def has_customers(self) -> bool:
        return self.intake.customers is not None

    def default_as_of(self) -> pd.Timestamp:
        return self._engine.default_as_of()

    def segments(self) -> dict[str, list[str]]:
        return self._engine.segments()

    def currency(self) -> str:
        """The connection's `currency` setting, else `DEFAULT_CURRENCY` (the Data page says it was assumed)."""
        return self.currency_code or DEFAULT_CURRENCY

    def currency_assumed(self) -> bool:
        return self.currency_code is None

    def history_start(self) -> pd.Timestamp | None:
        """No trimming of far-off dates: a database's rows were not typed by hand into a spreadsheet."""
        return None

    def intake_frame(self) -> pd.DataFrame:
        """reason, rows: the rows of the subscriptions table not used, by reason (empty when all are used)."""
        rejected = sorted(self.intake.rejected.items())
        return pd.DataFrame({"reason": [r for r, _ in rejected], "rows": [int(n) for _, n in rejected]})
