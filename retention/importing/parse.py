"""Typed values from text cells, vectorised, with a mask of cells that could not be read.

Formats are decided per file (date order) or per column (decimal separator) from the data
itself, and a cell that does not fit the decided format is bad rather than re-guessed: a file
never has 03/04 mean March in one row and April in the next, and `1,234` never means 1.234 in
one row and 1234 in another.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import pandas as pd

from retention.importing.ids import is_ids, strip_ids

_Result = TypeVar("_Result")

_SLASH = r"^(?P<a>\d{1,2})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})(?:[ T]+(?P<time>\S.*))?$"
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_UTC_SUFFIX = re.compile(r"\s*\(?\bUTC\)?$|\s*\bGMT$", re.IGNORECASE)


def _text(values: pd.Series) -> pd.Series:
    return values.fillna("").astype(str).str.strip()


_LEADING_SPACE = re.compile(r"\x00\s")


def edge_space(cells: list[str]) -> tuple[bool, bool]:
    """(some cell starts or ends with whitespace, some cell is empty) for a list of str; TypeError for other cells.

    One join and two regex scans over the joined text (`\\s` is exactly the whitespace
    `str.strip` removes; the reversed text turns "ends with" into "starts with"), instead of a
    Python call per cell: the common clean column of a big file costs milliseconds.
    """
    joined = "\x00" + "\x00".join(cells) + "\x00"
    spaced = _LEADING_SPACE.search(joined) is not None or _LEADING_SPACE.search(joined[::-1]) is not None
    return spaced, "\x00\x00" in joined


def strip_text(values: pd.Series) -> pd.Series:
    """`values.astype(str).str.strip()`, without the per-cell pass when no cell starts or ends with whitespace.
    Arrow id columns (`ids`) stay Arrow text."""
    if is_ids(values):
        from retention.importing.arrow_csv import WHITESPACE

        return strip_ids(values, WHITESPACE)
    if isinstance(values.dtype, pd.CategoricalDtype) and as_text(values) is values:
        cells = values.cat.categories.to_numpy(dtype=object)
        if len(cells) and edge_space(cells.tolist())[0]:  # strip the distinct cells, not the rows
            cells = np.array([c.strip() for c in cells], dtype=object)
        return pd.Series(cells.take(values.cat.codes.to_numpy()), index=values.index, dtype=object)
    text = values.astype(str)
    if len(text) and not edge_space(text.tolist())[0]:
        return text
    return text.str.strip()


def distinct_cells(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """(code of each cell, its distinct cells as text in order of first appearance).

    A Categorical column (the reader's dictionary-encoded CSV columns) is factorised on its
    integer codes, so no text cell is hashed or copied: the distinct texts are its categories.
    The reader's own columns are already in that form (every category used, numbered in order of
    first appearance), which `_first_appearance` sees in one pass, without factorising.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = values.cat.categories
        if categories.dtype == object and not categories.hasnans:
            codes = values.cat.codes.to_numpy()
            cells = categories.to_numpy(dtype=object, copy=True)  # the distinct cells only; never the caller's frame
            if _first_appearance(codes, len(cells)):
                if not all(type(c) is str for c in cells):
                    cells = cells.astype(str)
                return codes, pd.Series(cells, dtype=object, copy=False)
            codes, used = pd.factorize(codes, use_na_sentinel=False)
            cells = cells.take(np.maximum(used, 0))
            cells[used < 0] = ""  # a missing cell (code -1) reads as empty, as fillna("") does
            text = pd.Series(cells, dtype=object).astype(str)
            return codes, text
    codes, uniques = pd.factorize(values.fillna("").astype(str))
    return codes, pd.Series(uniques, dtype=object)


def _first_appearance(codes: np.ndarray, n: int) -> bool:
    """Whether `codes` use every one of `n` categories, numbered in order of first appearance (0, then at most one
    above the highest so far, ending at n - 1): then they are their own factorisation."""
    if len(codes) == 0:
        return n == 0
    if codes[0] != 0 or int(codes.min()) < 0:
        return False
    highest = np.maximum.accumulate(codes)
    return int(highest[-1]) == n - 1 and bool((codes[1:] <= highest[:-1] + 1).all())


def as_text(values: pd.Series) -> pd.Series:
    """`values.astype(str)`, except that a Categorical of text stays a Categorical (its cells are text already)."""
    if (isinstance(values.dtype, pd.CategoricalDtype) and values.cat.categories.dtype == object and not values.isna().any()
            and pd.api.types.infer_dtype(values.cat.categories, skipna=False) == "string"):
        return values
    return values.astype(str)


def _expand(result: pd.Series | pd.DataFrame, codes: np.ndarray, index: pd.Index) -> pd.Series | pd.DataFrame:
    """Each row's answer: the distinct cells' answers taken by code, on the rows' index (no index is taken)."""
    if isinstance(result, pd.Series):
        return pd.Series(result.array.take(codes), index=index, name=result.name, copy=False)
    return pd.DataFrame({i: result.iloc[:, i].array.take(codes) for i in range(result.shape[1])}, index=index,
                        copy=False).set_axis(result.columns, axis=1)


def by_distinct(values: pd.Series, func: Callable[[pd.Series], _Result]) -> _Result:
    """Apply a cell-by-cell text function once per distinct cell and spread the result back.

    Why: a 500k-row export has a few thousand distinct dates, amounts and statuses, and the
    regexes and `to_datetime` calls cost per cell, so this is what makes reading big files fast.
    `func` must treat each cell on its own (its answer for a cell never depends on the others);
    it receives the distinct cells (fillna("") and str already applied) and returns a Series, a
    DataFrame or a tuple of them, aligned with its input.
    """
    codes, distinct = distinct_cells(values)
    result = func(distinct)
    if isinstance(result, tuple):
        return tuple(_expand(part, codes, values.index) for part in result)  # type: ignore[return-value]
    return _expand(result, codes, values.index)  # type: ignore[arg-type,return-value]


def by_distinct_categorical(values: pd.Series, func: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """`by_distinct` for a text function whose answers repeat (statuses, currency codes): the result is a
    Categorical, so later comparisons, `isin` and `nunique` look at the distinct answers, not every row."""
    codes, distinct = distinct_cells(values)
    answer_codes, answers = pd.factorize(np.asarray(func(distinct), dtype=object))
    column = pd.Categorical.from_codes(answer_codes.take(codes), categories=pd.Index(answers, dtype=object), validate=False)
    return pd.Series(column, index=values.index)


def slash_parts(values: pd.Series) -> pd.DataFrame:
    """First and second number of `a/b/yyyy` (or `a-b-yyyy`) cells; NaN elsewhere.  Dotted dates are day-first."""
    return by_distinct(values, _slash_parts)


def _slash_parts(values: pd.Series) -> pd.DataFrame:
    text = _text(values)
    if _iso_days(text):  # no slash date among them (the common export): nothing to split
        return pd.DataFrame({"a": np.nan, "b": np.nan}, index=text.index)
    parts = text.str.extract(_SLASH)
    slash = parts["sep"].isin(["/", "-"])
    return pd.DataFrame({"a": pd.to_numeric(parts["a"].where(slash)), "b": pd.to_numeric(parts["b"].where(slash))})


def decide_date_order(columns: dict[str, pd.Series]) -> tuple[str | None, bool, list[str]]:
    """(order, ambiguous, examples) for the slash dates of all date columns of one file.

    `order` is `dmy` when some first number is above 12, `mdy` when some second one is, None when
    nothing tells (then `ambiguous` says whether any date actually depends on the order, e.g.
    03/04/2024 but not 05/05/2024).  Both kinds of evidence at once is ambiguous too.
    """
    # Each column's distinct cells in order of first appearance: the answer only depends on which
    # cells exist and on the first examples of each kind, so repeats need not be looked at.
    distinct = [distinct_cells(series)[1] for series in columns.values()]
    frames = [_slash_parts(cells).assign(text=_text(cells)) for cells in distinct]
    parts = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["a", "b", "text"])
    parts = parts.dropna(subset=["a", "b"])
    dmy = bool((parts["a"] > 12).any())
    mdy = bool((parts["b"] > 12).any())
    if dmy and not mdy:
        return "dmy", False, []
    if mdy and not dmy:
        return "mdy", False, []
    depends = parts[(parts["a"] != parts["b"]) & (parts["a"] <= 12) & (parts["b"] <= 12)]
    if dmy and mdy:
        examples = [*parts.loc[parts["a"] > 12, "text"].head(1), *parts.loc[parts["b"] > 12, "text"].head(1)]
        return None, True, examples
    return None, not depends.empty, list(depends["text"].drop_duplicates().head(3))


def parse_dates(values: pd.Series, date_order: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Parse dates and timestamps into day-precision timestamps (UTC calendar day).

    Understands ISO dates and timestamps (with or without a time zone, `Z`, ` UTC`),
    `DD.MM.YYYY`, slash dates in `date_order` (`dmy` or `mdy`; without one, only dates that read
    the same both ways), `YYYYMMDD`, epoch seconds and milliseconds, and written months
    ("Jan 5, 2024").  Timestamps with a zone are converted to UTC before taking the day; naive
    ones are taken as UTC.  Returns (dates, bad) where `bad` marks non-empty cells that are not
    dates.  Empty cells are NaT and not bad; the caller decides whether the column may be empty.
    """
    return by_distinct(values, lambda cells: _parse_dates(cells, date_order))


def _iso_days(text: pd.Series) -> bool:
    """Whether every (stripped) cell is empty or a plain ISO day, `2024-01-31`: what most exports write."""
    return bool((text.str.fullmatch(_ISO_DAY) | text.eq("")).all())


def _parse_dates(values: pd.Series, date_order: str | None) -> tuple[pd.Series, pd.Series]:
    if _iso_days(stripped := _text(values)):
        # The general path below reads these cells exactly so (no slash, digit or zone rule applies to them), with
        # half a dozen text passes over the distinct cells; one parse by format gives the same days and NaTs.
        empty = stripped.eq("")
        dates = pd.to_datetime(stripped.where(~empty), format="%Y-%m-%d", errors="coerce").astype("datetime64[ns]")
        return dates, dates.isna() & ~empty
    text = stripped.str.replace(_UTC_SUFFIX, "", regex=True)
    empty = text.eq("")
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns, UTC]")
    todo = ~empty

    digits = text.str.fullmatch(r"\d+(\.\d+)?") & todo
    if digits.any():
        number = pd.to_numeric(text.where(digits), errors="coerce")
        ymd = digits & text.str.fullmatch(r"(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])")
        seconds = digits & ~ymd & number.between(1e8, 1e11)
        millis = digits & ~ymd & number.between(1e11, 1e14)
        if ymd.any():
            parsed.loc[ymd] = pd.to_datetime(text[ymd], format="%Y%m%d", errors="coerce", utc=True)
        if seconds.any():
            parsed.loc[seconds] = pd.to_datetime(number[seconds] * 1000, unit="ms", errors="coerce", utc=True)
        if millis.any():
            parsed.loc[millis] = pd.to_datetime(number[millis], unit="ms", errors="coerce", utc=True)
        todo &= ~digits  # other bare numbers are not dates

    parts = text.str.extract(_SLASH)
    numeric = parts["a"].notna() & todo
    if numeric.any():
        dotted = parts["sep"].eq(".")
        day_first = dotted | (date_order == "dmy")
        if date_order is None:
            same = parts["a"] == parts["b"]
            usable = numeric & (dotted | same)
        else:
            usable = numeric
        day = parts["a"].where(day_first, parts["b"])
        month = parts["b"].where(day_first, parts["a"])
        year = parts["y"].where(parts["y"].str.len() == 4, ("20" + parts["y"].fillna("")).where(
            pd.to_numeric(parts["y"], errors="coerce") < 70, "19" + parts["y"].fillna("")))
        iso = year + "-" + month.str.zfill(2) + "-" + day.str.zfill(2)
        iso = iso + (" " + parts["time"]).fillna("")
        if usable.any():
            parsed.loc[usable] = pd.to_datetime(iso[usable], format="ISO8601", errors="coerce", utc=True)
        todo &= ~numeric  # an unusable slash date stays bad, never re-guessed below

    if todo.any():
        parsed.loc[todo] = pd.to_datetime(text[todo], format="ISO8601", errors="coerce", utc=True)
        retry = todo & parsed.isna() & text.str.contains(r"[A-Za-z]{3}", regex=True)
        if retry.any():
            parsed.loc[retry] = pd.to_datetime(text[retry], format="mixed", errors="coerce", utc=True,
                                               dayfirst=date_order == "dmy")
    dates = parsed.dt.tz_convert(None).dt.normalize().astype("datetime64[ns]")
    bad = dates.isna() & ~empty
    return dates, bad


CURRENCY_SYMBOLS: dict[str, str] = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW",
                                    "R$": "BRL", "CHF": "CHF", "zł": "PLN", "kr": "SEK", "A$": "AUD", "C$": "CAD"}
_MARKER = r"(?:US\$|A\$|C\$|R\$|[$€£¥₹₩]|zł|kr|[A-Z]{3})"
_MARK_RE = re.compile(rf"^\(?-?\s*(?P<pre>{_MARKER})?\s*(?P<body>[-\d.,'’\s\u00a0\u202f]*?)\s*(?P<post>{_MARKER})?\)?$")


def currency_markers(values: pd.Series) -> pd.Series:
    """ISO code of the currency written inside an amount (`$99` -> USD, `99 EUR` -> EUR), "" when none (a Categorical)."""
    return by_distinct_categorical(values, _currency_markers)


def _currency_markers(values: pd.Series) -> pd.Series:
    parts = _text(values).str.extract(_MARK_RE)
    marker = parts["pre"].fillna("").where(parts["pre"].notna(), parts["post"].fillna(""))
    return marker.map(lambda m: CURRENCY_SYMBOLS.get(m, m)).fillna("")


def _clean_number_text(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(digits with separators and a leading minus, empty mask) with currency marks and spaces removed."""
    text = _text(values)
    empty = text.eq("")
    parts = text.str.extract(_MARK_RE)
    body = parts["body"].fillna("").str.replace(r"[\s\u00a0\u202f'’]", "", regex=True)
    negative = text.str.startswith("(") & text.str.endswith(")") | text.str.contains(r"^\(?\s*-|^\(?\s*\S{1,3}\s*-", regex=True)
    body = body.str.lstrip("-")
    body = body.where(parts["body"].notna(), "?")  # no match: junk such as "abc" or "12a"
    body = ("-" + body).where(negative, body)
    return body, empty


def decide_decimal(values: pd.Series) -> str | None:
    """`.` or `,` as this column's decimal separator when its values tell, else None.

    `1.234,56` and `12,5` say comma; `1,234.56` and `12.5` say dot; `1,234` or `1.234` alone
    could be either (a thousands separator or three decimals) and say nothing.
    """
    codes, cells = distinct_cells(values)
    body, empty = _clean_number_text(cells)
    # Each distinct cell votes as many times as it occurs, so the outcome is that of a vote per cell.
    weight = pd.Series(np.bincount(codes, minlength=len(cells)), index=cells.index)[~empty]
    body = body[~empty].str.lstrip("-")
    last_dot = body.str.rfind(".")
    last_comma = body.str.rfind(",")
    both = (last_dot >= 0) & (last_comma >= 0)
    comma_votes = weight[both & (last_comma > last_dot)].sum()
    dot_votes = weight[both & (last_dot > last_comma)].sum()
    only_comma = body[(last_comma >= 0) & (last_dot < 0)]
    only_dot = body[(last_dot >= 0) & (last_comma < 0)]
    comma_votes += weight[only_comma.index][~only_comma.str.fullmatch(r"\d{1,3}(,\d{3})+")].sum()
    dot_votes += weight[only_comma.index][only_comma.str.fullmatch(r"\d{1,3}(,\d{3}){2,}")].sum()
    dot_votes += weight[only_dot.index][~only_dot.str.fullmatch(r"\d{1,3}(\.\d{3})+")].sum()
    comma_votes += weight[only_dot.index][only_dot.str.fullmatch(r"\d{1,3}(\.\d{3}){2,}")].sum()
    if comma_votes > dot_votes:
        return ","
    if dot_votes > comma_votes:
        return "."
    return None


def parse_numbers(values: pd.Series, decimal: str = ".") -> tuple[pd.Series, pd.Series]:
    """Parse amounts like `1200`, `1,200.50`, `$99`, `1.234,56 €`, `(5.00)`; returns (floats, bad).

    Only numbers written with `decimal` as decimal separator (and the other separator as
    thousands groups of three) are accepted; anything else is bad rather than guessed.
    """
    return by_distinct(values, lambda cells: _parse_numbers(cells, decimal))


def _parse_numbers(values: pd.Series, decimal: str) -> tuple[pd.Series, pd.Series]:
    body, empty = _clean_number_text(values)
    thousands = "," if decimal == "." else "."
    t, d = re.escape(thousands), re.escape(decimal)
    valid = body.str.fullmatch(rf"-?(\d{{1,3}}({t}\d{{3}})+|\d+)({d}\d+)?|-?{d}\d+")
    plain = body.str.replace(thousands, "", regex=False).str.replace(decimal, ".", regex=False)
    numbers = pd.to_numeric(plain.where(valid & ~empty), errors="coerce")
    bad = numbers.isna() & ~empty
    return numbers.astype(float), bad


INTERVAL_MONTHS: dict[str, float] = {
    "month": 1.0, "monthly": 1.0, "months": 1.0, "mo": 1.0, "m": 1.0, "1m": 1.0,
    "quarter": 3.0, "quarterly": 3.0, "quarters": 3.0, "q": 3.0,
    "year": 12.0, "yearly": 12.0, "annual": 12.0, "annually": 12.0, "years": 12.0, "y": 12.0, "yr": 12.0, "1y": 12.0,
    "week": 12.0 / 52.0, "weekly": 12.0 / 52.0, "weeks": 12.0 / 52.0, "w": 12.0 / 52.0,
    "day": 12.0 / 365.0, "daily": 12.0 / 365.0, "days": 12.0 / 365.0, "d": 12.0 / 365.0,
}


def parse_intervals(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Months per billing interval (month = 1, year = 12, week = 12/52, day = 12/365)."""
    return by_distinct(values, _parse_intervals)


def _parse_intervals(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = _text(values).str.lower()
    months = text.map(INTERVAL_MONTHS).astype(float)
    bad = months.isna()
    return months, bad


def period_months(start: pd.Series, end: pd.Series) -> pd.Series:
    """Length of service periods in months: whole calendar months when the period is some
    number of months (Jan 15 -> Feb 15, or month end to month end), else days × 12/365."""
    calendar = (end.dt.year - start.dt.year) * 12 + (end.dt.month - start.dt.month)
    aligned = (end.dt.day == start.dt.day) | (end.dt.is_month_end & start.dt.is_month_end)
    days = (end - start).dt.days
    return pd.Series(np.where(aligned & (calendar > 0), calendar, days * 12.0 / 365.0), index=start.index, dtype=float)


def as_bool_mask(series: pd.Series) -> np.ndarray:
    return series.to_numpy(dtype=bool)
