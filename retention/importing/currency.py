"""One reporting currency: amounts in several currencies are converted with the user's rates.

MRR in euros plus MRR in dollars is not a number, so a file with several currencies is
refused until the user gives a rate for each (a dict, or a small CSV `currency,rate_to_reporting`
where the rate is how many reporting-currency units one unit is worth).  Rates are the user's
choice (month-end, budget rate…), never fetched.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from retention.i18n import N_
from retention.importing.errors import LoadError
from retention.importing.parse import parse_numbers
from retention.importing.reader import read_table

ZERO_DECIMAL = frozenset({"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV",
                          "XAF", "XOF", "XPF", "ISK"})
"""Currencies without minor units: an amount "in cents" of these is already whole units (Stripe's list)."""


def minor_unit_divisor(currency: pd.Series) -> pd.Series:
    """100 per row, or 1 for zero-decimal currencies, to turn integer minor units into units."""
    code = currency.fillna("").astype(str).str.strip().str.upper()
    return pd.Series(100.0, index=currency.index).where(~code.isin(ZERO_DECIMAL), 1.0)


def normalise_code(code: str) -> str:
    return code.strip().upper()


def read_rates(data: bytes, file: str) -> dict[str, float]:
    """Rates from a CSV with columns `currency` and `rate_to_reporting` (any delimiter, decimal comma or dot)."""
    raw = read_table(data, file)
    columns = {c.strip().lower(): c for c in raw.columns}
    if "currency" not in columns or "rate_to_reporting" not in columns:
        raise LoadError(file, N_("a rates file needs the columns currency and rate_to_reporting; columns found: {columns}"),
                        {"columns": ", ".join(raw.columns)}, row=1)
    codes = raw[columns["currency"]].str.upper()
    text = raw[columns["rate_to_reporting"]]
    decimal = "," if text.str.fullmatch(r"\d+,\d+").any() and not text.str.contains(r"\.").any() else "."
    rates, bad = parse_numbers(text, decimal)
    problem = bad | rates.isna() | (rates <= 0) | codes.eq("")
    if problem.any():
        row = int(problem[problem].index[0])
        raise LoadError(file, N_("each rate must be a positive number next to a currency code"), row=row,
                        column=columns["rate_to_reporting"])
    return dict(zip(codes, rates.astype(float), strict=True))


def check_rates(rates: Mapping[str, float], file: str) -> dict[str, float]:
    clean: dict[str, float] = {}
    for code, rate in rates.items():
        try:
            value = float(rate)
        except (TypeError, ValueError):
            value = float("nan")
        if not value > 0:
            raise LoadError(file, N_("the rate for {currency} must be a positive number, got {rate}"),
                            {"currency": code, "rate": rate})
        clean[normalise_code(code)] = value
    return clean


def conversion_factors(
    currencies: pd.Series, file: str, column: str, reporting: str | None, rates: Mapping[str, float] | None
) -> tuple[pd.Series, str]:
    """Per-row factor to the reporting currency, and that currency's code.

    One currency and no reporting currency asked for: factor 1.  Several currencies, or a
    reporting currency different from the file's, need a rate for every currency found.
    """
    codes = currencies.fillna("").astype(str).str.strip().str.upper()
    found = sorted(c for c in codes.unique() if c)
    reporting = normalise_code(reporting) if reporting else None
    if reporting is None and len(found) <= 1:
        return pd.Series(1.0, index=codes.index), (found[0] if found else "")
    if reporting is None:
        raise LoadError(
            file,
            N_("amounts are in several currencies ({currencies}); choose a reporting currency and give a rate for each "
            "(CLI: --currency USD --rates rates.csv with columns currency,rate_to_reporting; app: currency section of the Data page)"),
            {"currencies": ", ".join(found)}, column=column,
        )
    table = {reporting: 1.0, **check_rates(rates or {}, file)}
    missing = [c for c in found if c not in table]
    if missing:
        raise LoadError(
            file,
            N_("no rate to {reporting} for {currencies}; give one per currency "
            "(CLI: --rates rates.csv with columns currency,rate_to_reporting; app: currency section of the Data page)"),
            {"reporting": reporting, "currencies": ", ".join(missing)}, column=column,
        )
    factors = codes.map(table).fillna(1.0).astype(float)
    return factors, reporting
