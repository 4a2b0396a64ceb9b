"""One reporting currency: amounts in several currencies are converted with the user's rates.

MRR in euros plus MRR in dollars is not a number, so a file with several currencies is
refused until the user gives a rate for each (a dict, or a small CSV `currency,rate_to_reporting`
where the rate is how many reporting-currency units one unit is worth).  Rates are the user's
choice (month-end, budget rate…), never fetched.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from retention.i18n import N_
from retention.importing.errors import LoadError
from retention.importing.parse import by_distinct_categorical, parse_numbers
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


def dated_conversion(
    codes: pd.Series, dates: pd.Series, file: str, column: str, reporting: str | None, rates: Mapping[str, float] | None
) -> tuple[pd.Series, str, dict[str, float], str, int] | None:
    """Per-row factors at each row's date from the ECB reference rates, where the user's rates do not cover a currency.

    Returns None when no conversion is needed or the user's rates cover every currency (then
    `conversion_factors` applies them), else (factor per row, reporting currency, mean factor per
    currency, where the rates come from, rows dated after the last bundled rate).  Without a
    reporting currency the file's most common currency is the reporting one.
    """
    from retention.importing.ecb import ecb_rates  # the rates table is read only when a file needs it

    # Cleaned once per distinct code (a Categorical): a 3-million-row file has a handful of codes, and most files
    # need no conversion at all, so the per-row form below is only made when rates are applied.
    coded = by_distinct_categorical(codes, lambda cells: cells.str.strip().str.upper())
    distinct = sorted(c for c in coded.cat.categories if c)
    target = normalise_code(reporting) if reporting else None
    user = check_rates(rates or {}, file)
    if target is None and len(distinct) <= 1:
        return None
    if target is not None and all(c == target or c in user for c in distinct):
        return None
    codes = pd.Series(np.asarray(coded, dtype=object), index=codes.index)
    found = codes[codes.ne("")]
    if target is None:
        target = str(found.value_counts().idxmax())
    ecb = ecb_rates()
    need = [c for c in distinct if c != target and c not in user]
    missing = [c for c in need if c not in ecb.currencies()]
    if target not in ecb.currencies():
        missing = need
    if missing:
        raise LoadError(
            file,
            N_("the European Central Bank publishes no rate between {reporting} and {currencies}; give a rate for each "
               "(CLI: --rates rates.csv with columns currency,rate_to_reporting; app: currency section of the Data page)"),
            {"reporting": target, "currencies": ", ".join(missing)}, column=column,
        )
    factor, stale = ecb.factors(codes, dates, target)
    for code, rate in user.items():
        factor[codes.eq(code).to_numpy()] = rate
    factor[codes.eq("").to_numpy()] = 1.0
    if factor.isna().any():
        row = factor[factor.isna()].index[0]
        raise LoadError(
            file,
            N_("no European Central Bank rate for {currency} on {date} (its rates start on {first}); give your own rates "
               "(CLI: --rates rates.csv; app: currency section of the Data page)"),
            {"currency": codes[row], "date": str(pd.Timestamp(dates[row]).date()), "first": str(ecb.first.date())},
            row=int(row) if isinstance(row, (int, np.integer)) else None, column=column,
        )
    means = factor.groupby(codes.to_numpy()).mean()
    used = {str(c): float(round(v, 6)) for c, v in means.items() if c and c != target}
    source = ecb.source() if need else ""
    if user:
        source = (source + "; " if source else "") + "your rates for " + ", ".join(sorted(c for c in user if c in distinct))
    return factor.astype(float), target, used, source, int((stale & codes.ne(target)).sum())
