"""Build the canonical subscriptions and customers tables (METRICS.md §1) from raw text tables.

Each check rejects the rows it fails, with the first reason that applies, so every rejected row
appears once in the rejects and the row accounting adds up.  Reasons are short English
templates without parameters (the offending value has its own column) so the app can
translate them and users can filter the rejects by reason.

What the file cannot tell is never guessed silently: ambiguous day/month order raises
`AmbiguousDateOrder`, several currencies without rates raise a `LoadError`, and every decision
taken (preset, date order, decimal separators, currency, status policy) is recorded in the
`LoadResult`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import numpy as np
import pandas as pd

from retention.i18n import N_
from retention.importing import bounds
from retention.importing.arrow_csv import plain_text
from retention.importing.currency import conversion_factors, dated_conversion, minor_unit_divisor
from retention.importing.errors import AmbiguousDateOrder, LoadError, empty_rejects, rejects_frame
from retention.importing.excel import sheet_names
from retention.importing.ids import as_ids, hashable_codes, is_ids, row_names, text_except
from retention.importing.intervals import parse_billing_intervals
from retention.importing.kinds import refuse_other_kind
from retention.importing.ledger import LedgerSettings, ledger_from_frame, looks_like_ledger
from retention.importing.mapping import CUSTOMER_FIELDS, SUBSCRIPTION_FIELDS, require, resolve_mapping
from retention.importing.parse import (
    as_text,
    by_distinct,
    by_distinct_categorical,
    currency_markers,
    decide_date_order,
    decide_decimal,
    distinct_cells,
    parse_dates,
    parse_numbers,
    period_months,
    strip_text,
)
from retention.importing.presets import GENERIC_LEDGER, LEDGER_FIELDS, Preset, get_preset
from retention.importing.reader import read_table
from retention.importing.recognise import SAMPLE_ROWS, check_mrr_is_monthly, complete_revenue_mapping, require_rows, revenue_error
from retention.importing.result import LoadResult
from retention.importing.sentinels import blank_unrepresentable, far_future, summarise
from retention.importing.status import DEFAULT_STATUS_POLICY, StatusPolicy
from retention.memory import trim

SUBSCRIPTION_COLUMNS = [
    "customer_id", "subscription_id", "start_date", "end_date", "mrr", "plan", "quantity",
    "currency", "status", "trial_end",
]
DATE_FIELDS = ("start_date", "end_date", "trial_end", "paid_through")
RECURRING_LINE_TYPES = frozenset({"", "subscription", "recurring", "plan", "subscription_item"})
_MICRO = 1_000_000


class _Rejector:
    """Collects rejects while narrowing a table to its good rows."""

    def __init__(self, file: str, raw: pd.DataFrame, mapping: Mapping[str, str], coded: pd.DataFrame | None = None) -> None:
        self.file = file
        self.raw = raw
        self.coded = raw if coded is None else coded  # the same cells, repeated ones dictionary-encoded
        self.mapping = mapping
        self.alive = pd.Series(True, index=raw.index)
        self.parts: list[pd.DataFrame] = []

    def reject(self, mask: pd.Series, field: str, reason: str) -> None:
        mask = mask & self.alive
        if not mask.any():
            return
        column = self.mapping.get(field, field)
        values = self.raw.loc[mask, column] if column in self.raw else [""] * int(mask.sum())
        self.parts.append(rejects_frame(self.file, mask[mask].index, column, values, reason))
        self.alive &= ~mask

    def living(self, values: pd.Series) -> pd.Series:
        """`values` of the rows not rejected so far: the Series itself while none is (no copy of 400,000 rows)."""
        return values if bool(self.alive.all()) else values[self.alive]

    def reject_duplicates(self) -> None:
        """Exact copies of an earlier row (same cells in every column): the copy is rejected."""
        if self.raw.empty or not len(self.raw.columns):
            return
        # A column without repeated values (a subscription or invoice id) rules out duplicate rows:
        # one hash of that column instead of hashing every column of a file that has none.
        ids = [self.mapping[f] for f in ("subscription_id", "invoice_id") if f in self.mapping]
        if any(self.raw[c].is_unique for c in ids):
            return
        # One 64-bit hash per row finds the candidates (rows whose hash repeats); only those are compared
        # cell by cell, so a big file without copies never gets a code array per column (issue 21).
        # The dictionary-encoded columns hash their distinct cells only; Arrow id columns are hashed through their
        # integer codes (`ids.hashable_codes`), so no Python string is made per row.
        coded = self.coded
        if any(is_ids(coded[c]) for c in coded.columns):
            coded = pd.DataFrame({c: hashable_codes(coded[c]) for c in coded.columns}, index=coded.index, copy=False)
        hashes = pd.util.hash_pandas_object(coded, index=False, categorize=False)
        del coded
        candidates = hashes.duplicated(keep=False).to_numpy()
        del hashes
        if not candidates.any():
            return
        mask = pd.Series(False, index=self.raw.index)
        copies = self.raw[candidates].duplicated(keep="first")
        mask[copies[copies].index] = True
        mask &= self.alive
        if not mask.any():
            return
        values = plain_text(self.raw.loc[mask]).agg(" | ".join, axis=1).str.slice(0, 200)
        self.parts.append(rejects_frame(self.file, mask[mask].index, "", values, N_("duplicate row")))
        self.alive &= ~mask

    def rejects(self) -> pd.DataFrame:
        if not self.parts:
            return empty_rejects()
        return pd.concat(self.parts, ignore_index=True).sort_values("row", kind="stable").reset_index(drop=True)


def _col(raw: pd.DataFrame, mapping: Mapping[str, str], field: str) -> pd.Series:
    """The column mapped to `field`, or empty cells when the file has none: a Categorical of one category, so the
    per-distinct-cell steps see one cell, not a string per row (an unmapped paid-through date cost 50 ms a file)."""
    if field in mapping:
        return raw[mapping[field]]
    empty = pd.Categorical.from_codes(np.zeros(len(raw), dtype=np.int8), categories=pd.Index([""], dtype=object),
                                      validate=False)
    return pd.Series(empty, index=raw.index)


def _date_order(raw: pd.DataFrame, mapping: Mapping[str, str], fields: tuple[str, ...], file: str,
                date_order: str | None) -> str | None:
    """The file's day/month order: the caller's, or decided from all its date columns together."""
    if date_order not in (None, "dmy", "mdy"):
        raise LoadError(file, N_("the date order must be dmy (day first) or mdy (month first), got {order}"), {"order": date_order})
    columns = {mapping[f]: raw[mapping[f]] for f in fields if f in mapping}
    decided, ambiguous, examples = decide_date_order(columns)
    if date_order is not None:
        return date_order
    if ambiguous:
        raise AmbiguousDateOrder(
            file,
            N_("dates such as {examples} could be day/month or month/day and the file does not tell which; choose the date "
            "order (CLI: --date-order dmy or --date-order mdy; app: date order on the Data page)"),
            {"examples": ", ".join(examples)}, row=None, column=", ".join(columns),
            columns=tuple(columns), examples=tuple(examples),
        )
    return decided


def _decimal_hints(raw: pd.DataFrame, mapping: Mapping[str, str], fields: tuple[str, ...]) -> dict[str, str]:
    """Decimal separator per numeric source column: its own values first, then the file's other
    numeric columns, then the delimiter (a `;` file comes from a decimal-comma locale), else dot."""
    source = raw.attrs.get("source")
    columns = [mapping[f] for f in fields if f in mapping]
    if source is not None and source.container == "xlsx":
        return dict.fromkeys(columns, ".")
    decided = {c: decide_decimal(raw[c]) for c in columns}
    known = [d for d in decided.values() if d]
    fallback = known[0] if known and len(set(known)) == 1 else ("," if source is not None and source.delimiter == ";" else ".")
    return {c: d or fallback for c, d in decided.items()}


def _basis(preset: Preset, resolved: Mapping[str, str], explicit: Mapping[str, str]) -> str:
    keys = resolved.keys()
    if "mrr" in explicit:
        return "mrr"
    basis = preset.basis
    if basis == "auto":
        basis = "mrr" if "mrr" in keys else "interval"
    if basis == "interval" and not {"amount", "interval"} <= keys and "mrr" in keys:
        basis = "mrr"
    if basis == "period" and "amount" not in keys and "mrr" in keys:
        basis = "mrr"
    return basis


def _resolve_subscription_mapping(raw: pd.DataFrame, file: str, mapping: Mapping[str, str] | None,
                                  preset: Preset | str | None) -> tuple[Preset, dict[str, str], str]:
    columns = list(raw.columns)
    try:
        chosen = get_preset(preset, columns)
    except ValueError as exc:
        raise LoadError(file, N_("unknown format preset {preset}"), {"preset": preset}) from exc
    explicit = dict(mapping or {})
    resolved = resolve_mapping(columns, SUBSCRIPTION_FIELDS, file, explicit, chosen.synonyms())
    if chosen.basis in ("auto", "interval"):
        resolved = complete_revenue_mapping(plain_text(raw.head(SAMPLE_ROWS)), resolved, explicit)  # looks at the first rows
    if not {"customer_id", "start_date"} <= resolved.keys():
        refuse_other_kind(columns, file)  # the plans list or the events where the subscriptions go: say so
    require(resolved, "customer_id", file, columns)
    require(resolved, "start_date", file, columns)
    basis = _basis(chosen, resolved, explicit)
    if basis == "mrr":
        if "mrr" not in resolved:
            raise revenue_error(file, columns, resolved)
        if "mrr" in explicit:  # only a column the user mapped as MRR is checked
            check_mrr_is_monthly(plain_text(raw), file, resolved, explicit)
    elif basis == "period":
        require(resolved, "amount", file, columns)
        require(resolved, "end_date", file, columns)
    elif not {"amount", "interval"} <= resolved.keys():
        raise revenue_error(file, columns, resolved)
    return chosen, resolved, basis


def _ledger_preset(raw: pd.DataFrame, file: str, mapping: Mapping[str, str] | None,
                   preset: Preset | str | None) -> Preset | None:
    """The ledger preset when this file is a payment history, else None."""
    try:
        chosen = get_preset(preset, list(raw.columns))
    except ValueError as exc:
        raise LoadError(file, N_("unknown format preset {preset}"), {"preset": preset}) from exc
    if chosen.basis == "ledger":
        return chosen
    if chosen.key == "generic" and looks_like_ledger(list(raw.columns), mapping or {}):
        return GENERIC_LEDGER
    return None


def suggest_mapping(
    columns: list[str], file: str = "", *, kind: str = "subscriptions", preset: Preset | str | None = None,
    sample: pd.DataFrame | None = None,
) -> tuple[Preset | None, dict[str, str]]:
    """(detected preset, canonical field -> source column) for a header, as loading would resolve it.

    For the Data page's mapping editor: show "Detected: {preset.name}" and let the user change
    fields; passing the edited mapping back to `load_subscriptions` keeps the preset's value rules.
    """
    if kind == "customers":
        return None, resolve_mapping(columns, CUSTOMER_FIELDS, file)
    try:
        chosen = get_preset(preset, columns)
    except ValueError as exc:
        raise LoadError(file, N_("unknown format preset {preset}"), {"preset": preset}) from exc
    if chosen.basis != "ledger" and chosen.key == "generic" and looks_like_ledger(columns, {}):
        chosen = GENERIC_LEDGER
    if chosen.basis == "ledger":
        fields = [f for f in LEDGER_FIELDS if f in SUBSCRIPTION_FIELDS]
        return chosen, resolve_mapping(columns, fields, file, None, chosen.synonyms())
    mapping = resolve_mapping(columns, SUBSCRIPTION_FIELDS, file, None, chosen.synonyms())
    if chosen.basis in ("auto", "interval"):
        # `sample` (the file's first rows) lets interval columns be recognised by their values too.
        frame = sample if sample is not None else pd.DataFrame(columns=columns, dtype=object)
        mapping = complete_revenue_mapping(frame, mapping, {})
    return (None if chosen.key == "generic" else chosen), mapping


def subscriptions_from_frame(
    raw: pd.DataFrame,
    file: str,
    mapping: Mapping[str, str] | None = None,
    *,
    preset: Preset | str | None = None,
    date_order: str | None = None,
    reporting_currency: str | None = None,
    rates: Mapping[str, float] | None = None,
    status_policy: StatusPolicy | Mapping[str, str] | None = None,
    ledger_settings: LedgerSettings | None = None,
) -> LoadResult:
    """Canonical subscriptions from a text table whose index is the spreadsheet row number.

    `preset`: a `Preset`, its key, or None/"auto" to detect it from the header ("generic" for
    the synonym table).  `date_order`: "dmy" or "mdy" for slash dates the file cannot settle.
    `reporting_currency` + `rates` (currency -> reporting units per unit) convert amounts.
    `status_policy`: a `StatusPolicy` or overrides of the default one (`{"past_due": "exclude"}`).
    A payment ledger (Stripe invoices or payments, Paddle transactions, customer + date + amount) becomes
    spans inferred by `ledger` with `ledger_settings` (grace period).
    """
    # The cells stay in their dictionary-encoded form: rejects list a column's cells (a Categorical lists its
    # text), so no column is held a second time as a text pointer per row (issue 21: upload memory).
    coded = raw
    ledger = _ledger_preset(raw, file, mapping, preset)
    if ledger is not None:
        return ledger_from_frame(plain_text(raw), file, ledger, mapping, date_order=date_order,
                                 reporting_currency=reporting_currency, rates=rates, settings=ledger_settings)
    chosen, resolved, basis = _resolve_subscription_mapping(raw, file, mapping, preset)
    coded = raw = text_except(raw, {resolved[f] for f in ("customer_id", "subscription_id") if f in resolved})
    policy = status_policy if isinstance(status_policy, StatusPolicy) else DEFAULT_STATUS_POLICY.with_overrides(status_policy or {})
    order = _date_order(coded, resolved, DATE_FIELDS, file, date_order)
    rj = _Rejector(file, raw, resolved, coded)
    rj.reject_duplicates()
    trim()

    if "line_type" in resolved:
        kind = _col(coded, resolved, "line_type").str.lower()
        rj.reject(~kind.isin(RECURRING_LINE_TYPES), "line_type", N_("one-time charge, not recurring revenue"))

    customer = strip_text(_col(coded, resolved, "customer_id"))
    rj.reject(customer.eq(""), "customer_id", N_("missing customer id"))

    # Statuses, currencies: a handful of distinct values, so each is cleaned and looked up once.
    status = by_distinct_categorical(as_text(_col(coded, resolved, "status")), lambda s: s.str.strip().str.lower())
    actions = [policy.action(s) if s else "count" for s in status.cat.categories]
    to_action = dict(zip(status.cat.categories, actions, strict=True))
    action = by_distinct_categorical(status, lambda s: s.map(to_action))
    rj.reject(action.eq("exclude"), "status", N_("status excluded by the status policy"))

    start, end, trial_end, sentinel = _dates(coded, resolved, order, action, rj)
    trim()

    decimals = _decimal_hints(coded, resolved, ("mrr", "amount", "quantity", "interval_count", "tax"))
    money_field = "mrr" if basis == "mrr" else "amount"
    money, currency = _money(coded, resolved, money_field, decimals, chosen, mapping, rj)

    mrr, quantity = _monthly_mrr(coded, resolved, basis, money, start, end, decimals, rj)

    factors, reporting, used_rates, rates_source, after_last_rate = _conversion(
        currency, start, mrr, file, resolved, money_field, reporting_currency, rates, rj)

    del money  # `mrr` holds what the table needs of it
    trim()
    keep = rj.alive
    every = bool(keep.all())

    def kept(values: pd.Series) -> pd.Series:
        return values if every else values[keep]

    # Each column is made and its inputs dropped before the next one is made, and the columns are handed
    # over as they are (copy=False): the intermediates of all columns never live at once, and no second copy
    # is made to consolidate them into blocks (issue 21: upload memory).
    columns: dict[str, pd.Series] = {}
    if "subscription_id" in resolved:
        sub_id = as_ids(_str_cells(_col(coded, resolved, "subscription_id")))
        if sub_id.eq("").any():
            sub_id = sub_id.where(sub_id.ne(""), row_names(raw.index))
        columns["subscription_id"] = kept(sub_id)
        del sub_id
    else:
        columns["subscription_id"] = row_names(raw.index[keep.to_numpy()])
    columns["customer_id"] = as_ids(kept(customer))
    del customer
    columns["start_date"], columns["end_date"], columns["trial_end"] = kept(start), kept(end), kept(trial_end)
    del start, end, trial_end
    columns["mrr"] = _rounded_mrr(kept(mrr), factors)
    del mrr, factors
    columns["quantity"] = kept(quantity).astype(float)
    del quantity
    columns["plan"] = _str_cells(kept(_col(coded, resolved, "plan")))
    columns["currency"] = pd.Series(reporting, index=raw.index)[keep] if reporting else kept(currency).astype(object)
    del currency
    columns["status"] = kept(status).astype(object)
    del status, action
    table = pd.DataFrame(columns, columns=SUBSCRIPTION_COLUMNS, copy=False)
    del columns
    table.index.name = "row"
    if table["mrr"].sum() > bounds.INT64_MICRO_LIMIT:
        raise LoadError(file, N_("the amounts add up to more than the dashboard can hold; check the amount column's unit"))
    source = raw.attrs.get("source")
    open_ends = summarise(_col(raw, resolved, "end_date"), sentinel & keep)
    del sentinel
    return LoadResult(
        N_("subscriptions"), file, table, rj.rejects(), len(raw), resolved, flagged=_far_dates(file, raw, resolved, table),
        preset=chosen.key, status_policy=policy, date_order=order,
        decimals={c: d for c, d in decimals.items() if c in (resolved.get(money_field), resolved.get("quantity"))},
        currency=reporting, rates=used_rates,
        sheet=getattr(source, "sheet", None), customer_attributes=_attributes(chosen, raw, table),
        notes=tuple(raw.attrs.get("notes", ())),
        open_end_sentinels=open_ends, rates_source=rates_source,
        rows_after_last_rate=after_last_rate,
    )


def _rounded_mrr(mrr: pd.Series, factors: pd.Series) -> pd.Series:
    """`round(mrr × factor, 6)` per row (micro-units, as the engine holds them), computed in one buffer."""
    if not (isinstance(factors, pd.Series) and factors.index.equals(mrr.index)):
        return np.round(mrr.astype(float) * factors.astype(float) * _MICRO) / _MICRO
    out = mrr.to_numpy(dtype=float, copy=True)
    out *= factors.to_numpy(dtype=float)
    out *= _MICRO
    np.round(out, out=out)
    out /= _MICRO
    return pd.Series(out, index=mrr.index, copy=False)


def _str_cells(values: pd.Series) -> pd.Series:
    """`values.astype(str)`; a Categorical of text gives its category strings (shared), not a new string per row,
    and Arrow id text stays as it is."""
    if is_ids(values):
        return values
    if isinstance(values.dtype, pd.CategoricalDtype) and values.cat.categories.dtype == object:
        codes = values.cat.codes.to_numpy()
        categories = values.cat.categories.to_numpy()
        if (codes >= 0).all() and all(type(c) is str for c in categories):
            return pd.Series(categories.take(codes), index=values.index, dtype=object)
    return values.astype(str)


def _far_dates(file: str, raw: pd.DataFrame, resolved: Mapping[str, str], table: pd.DataFrame) -> pd.DataFrame:
    """Used rows whose start date lies years before the rest of the data: reported, not rejected."""
    far = bounds.far_from_rest(table["start_date"])
    if not far.any():
        return empty_rejects()
    rows = far[far].index
    return rejects_frame(file, rows, resolved["start_date"], raw.loc[rows, resolved["start_date"]], bounds.FAR_FROM_REST)


def _attributes(preset: Preset, raw: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame | None:
    """Customer attributes from columns such as Stripe's `plan_tier (metadata)`: per customer, the
    value on its latest subscription (by start date) that has one."""
    columns = preset.attributes(raw.columns)
    if not columns:
        return None
    frame = plain_text(raw.loc[table.index, list(columns)]).astype(object).rename(columns=columns).replace("", np.nan)
    frame.insert(0, "customer_id", table["customer_id"])
    frame["_start"] = table["start_date"]
    latest = frame.sort_values("_start", kind="stable").drop(columns="_start").groupby("customer_id", sort=True).last()
    return latest.fillna("").reset_index()


def customers_from_frame(
    raw: pd.DataFrame, file: str, mapping: Mapping[str, str] | None = None, *, date_order: str | None = None
) -> LoadResult:
    """Canonical customers: `customer_id`, optional `signup_date`, every other column an attribute."""
    columns = list(raw.columns)
    resolved = resolve_mapping(columns, CUSTOMER_FIELDS, file, mapping)
    coded = text_except(raw, {resolved["customer_id"]} if "customer_id" in resolved else set())
    raw = plain_text(raw)
    require(resolved, "customer_id", file, columns)
    order = _date_order(coded, resolved, ("signup_date",), file, date_order)
    rj = _Rejector(file, raw, resolved, coded)
    rj.reject_duplicates()
    customer = strip_text(coded[resolved["customer_id"]])
    rj.reject(customer.eq(""), "customer_id", N_("missing customer id"))
    seen = customer.where(rj.alive)
    rj.reject(seen.duplicated() & seen.notna() & customer.ne(""), "customer_id", N_("duplicate customer id (an earlier row has it)"))
    signup = None
    if "signup_date" in resolved:
        signup, bad = parse_dates(coded[resolved["signup_date"]], order)
        rj.reject(bad, "signup_date", N_("not a date"))
    keep = rj.alive
    table = pd.DataFrame({"customer_id": as_ids(customer[keep])})
    if signup is not None:
        table["signup_date"] = signup[keep]
    used = set(resolved.values())
    for column in columns:
        if column not in used:
            table[column] = raw.loc[keep, column].astype(str)
    table.index.name = "row"
    source = raw.attrs.get("source")
    return LoadResult(N_("customers"), file, table, rj.rejects(), len(raw), resolved, date_order=order,
                      sheet=getattr(source, "sheet", None), notes=tuple(raw.attrs.get("notes", ())))


def customers_from_attributes(result: LoadResult) -> LoadResult | None:
    """A customers table from the attributes a subscriptions file carries (Stripe metadata), so
    segments work without a separate customers file.  One row per customer, nothing rejected."""
    attrs = result.customer_attributes
    if attrs is None or attrs.empty:
        return None
    table = attrs.copy()
    table.index = pd.RangeIndex(2, len(table) + 2, name="row")
    return LoadResult(N_("customers"), f"{result.file} (metadata)", table, empty_rejects(), len(table), {"customer_id": "customer_id"})


def load_subscriptions(
    data: bytes,
    file: str,
    mapping: Mapping[str, str] | None = None,
    *,
    preset: Preset | str | None = None,
    date_order: str | None = None,
    sheet: str | int | None = None,
    reporting_currency: str | None = None,
    rates: Mapping[str, float] | None = None,
    status_policy: StatusPolicy | Mapping[str, str] | None = None,
    ledger_settings: LedgerSettings | None = None,
    parsed: pd.DataFrame | None = None,
) -> LoadResult:
    """Read subscriptions (or invoice lines with a service period, or a payment ledger) from CSV, .csv.gz, .zip or .xlsx bytes.

    `parsed`: the file's rows as `parsed_rows` gave them, when the caller read them already (the Data page reads a
    file once for its mapping, its preview and its load); `data` is then only used for messages about a workbook.
    """
    raw = read_table(data, file, sheet=sheet, dictionary=True) if parsed is None else parsed
    with _sheet_hint(raw, data, file, sheet):
        require_rows(raw, file)
        return subscriptions_from_frame(
            raw, file, mapping, preset=preset, date_order=date_order,
            reporting_currency=reporting_currency, rates=rates, status_policy=status_policy,
            ledger_settings=ledger_settings,
        )


@contextmanager
def _sheet_hint(raw: pd.DataFrame, data: bytes, file: str, sheet: str | int | None) -> Iterator[None]:
    """When the default first sheet of a workbook lacks the columns, say which other sheets there are."""
    try:
        yield
    except AmbiguousDateOrder:
        raise
    except LoadError as exc:
        source = raw.attrs.get("source")
        if sheet is not None or source is None or source.container != "xlsx" or exc.row != 1:
            raise
        names = sheet_names(data, file)
        if len(names) < 2:
            raise
        raise LoadError(
            file,
            N_("the first sheet '{sheet}' does not have the needed columns; the workbook has the sheets {sheets}: choose one "
            "(CLI: --sheet NAME; app: the sheet picker on the Data page)"),
            {"sheet": source.sheet, "sheets": ", ".join(names)}, row=1,
        ) from exc


def load_customers(
    data: bytes, file: str, mapping: Mapping[str, str] | None = None, *, sheet: str | int | None = None,
    date_order: str | None = None, parsed: pd.DataFrame | None = None,
) -> LoadResult:
    """Read customers with their attributes from CSV, .csv.gz, .zip or .xlsx bytes (or their `parsed` rows, as
    `load_subscriptions` takes them)."""
    raw = read_table(data, file, sheet=sheet, dictionary=True) if parsed is None else parsed
    with _sheet_hint(raw, data, file, sheet):
        require_rows(raw, file)
        return customers_from_frame(raw, file, mapping, date_order=date_order)


def parsed_rows(data: bytes, file: str, sheet: str | int | None = None, max_rows: int | None = None) -> pd.DataFrame:
    """The file's rows as the importer reads them (`read_table(..., dictionary=True)`), to hand to `preview`,
    `load_subscriptions` and `load_customers` as `parsed` when `whole_file` says they are the whole file.

    Why: the Data page used to parse an upload three times (its columns and choices, the preview, the load); a
    CSV's parse is the same every time, so it is done once.  The importer never changes the frame it is given."""
    return read_table(data, file, sheet=sheet, max_rows=max_rows, dictionary=True)


def whole_file(parsed: pd.DataFrame) -> bool:
    """Whether `parsed` holds every row of its file: always for text files; a workbook read for a preview holds only
    its first rows (`max_rows`), so its load reads the workbook again."""
    source = parsed.attrs.get("source")
    return source is not None and source.container != "xlsx"


def preview(
    data: bytes,
    file: str,
    mapping: Mapping[str, str] | None = None,
    *,
    kind: str = "subscriptions",
    rows: int = 10,
    preset: Preset | str | None = None,
    date_order: str | None = None,
    sheet: str | int | None = None,
    reporting_currency: str | None = None,
    rates: Mapping[str, float] | None = None,
    status_policy: StatusPolicy | Mapping[str, str] | None = None,
    ledger_settings: LedgerSettings | None = None,
    parsed: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The first `rows` records as they will be read: `row`, the canonical columns, and `reject_reason`
    ("" for rows that will be used).  Raises the same `LoadError`s as loading the whole file.
    `parsed`: the file's rows from `parsed_rows`, when the caller has them (a CSV's; never a workbook's first rows)."""
    # A workbook read here gives only its first rows; a caller's parsed rows are every row of a CSV.
    raw = read_table(data, file, sheet=sheet, max_rows=rows, dictionary=True) if parsed is None else parsed
    require_rows(raw, file)
    head = raw.head(rows)
    if kind == "customers":
        resolved = resolve_mapping(list(raw.columns), CUSTOMER_FIELDS, file, mapping)
        order = _date_order(raw, resolved, ("signup_date",), file, date_order)
        result = customers_from_frame(head, file, mapping, date_order=order)
    elif _ledger_preset(raw, file, mapping, preset) is not None:  # the header decides; no text copy of every cell
        # Cadences need every payment of a customer: read the whole ledger, show its first rows.
        result = subscriptions_from_frame(raw, file, mapping, preset=preset, date_order=date_order,
                                          reporting_currency=reporting_currency, rates=rates, ledger_settings=ledger_settings)
        reasons = result.rejects.drop_duplicates("row").set_index("row")["reason"]
        shown = plain_text(head).copy()
        shown["reject_reason"] = reasons.reindex(head.index).fillna("").astype(str)
        return shown.reset_index(names="row")
    else:
        _, resolved, _ = _resolve_subscription_mapping(raw, file, mapping, preset)  # as loading resolves it
        order = _date_order(raw, resolved, DATE_FIELDS, file, date_order)
        result = subscriptions_from_frame(head, file, mapping, preset=preset, date_order=order,
                                          reporting_currency=reporting_currency, rates=rates, status_policy=status_policy)
    reasons = result.rejects.drop_duplicates("row").set_index("row")["reason"]
    shown = result.table.reindex(head.index)
    shown["reject_reason"] = reasons.reindex(head.index).fillna("").astype(str)
    return shown.reset_index()


def attribute_columns(customers: pd.DataFrame) -> list[str]:
    """Customer columns usable as segments (everything but the id and dates)."""
    return [c for c in customers.columns if c not in ("customer_id", "signup_date")]


__all__ = [
    "LoadError", "LoadResult", "load_subscriptions", "load_customers", "preview", "suggest_mapping",
    "subscriptions_from_frame", "customers_from_frame", "customers_from_attributes", "attribute_columns",
]


def _dates(coded: pd.DataFrame, resolved: dict[str, str], order: str | None, action: pd.Series, rj: _Rejector):
    """Start, end and trial end of each row; ends written as "still running" (9999-12-31) become open.

    Returns (start, end, trial_end, sentinel) where `sentinel` marks the rows whose end was such a date.
    A row that stopped paying (status policy "churn") ends on its paid-through date.
    """
    start, bad_start = parse_dates(_col(coded, resolved, "start_date"), order)
    rj.reject(bad_start, "start_date", N_("not a date"))
    rj.reject(start.isna(), "start_date", N_("missing start date"))
    rj.reject(bounds.too_early(start), "start_date", bounds.TOO_EARLY)
    # Cell by cell, but once per distinct cell: "still running" written as 9999-12-31 becomes empty.
    end_cells = _col(coded, resolved, "end_date")
    open_text = by_distinct_categorical(end_cells, lambda cells: blank_unrepresentable(cells)[0])
    unrepresentable = by_distinct(end_cells, lambda cells: blank_unrepresentable(cells)[1])
    end, bad_end = parse_dates(open_text, order)
    rj.reject(bad_end, "end_date", N_("not a date"))
    # "Still running" written as 9999-12-31 or 2050-01-01: an open end, reported on the result.
    sentinel = unrepresentable | far_future(start, end)
    end = end.where(~sentinel)
    trial_end, bad_trial = parse_dates(_col(coded, resolved, "trial_end"), order)
    rj.reject(bad_trial, "trial_end", N_("not a date"))
    paid_through, bad_paid = parse_dates(_col(coded, resolved, "paid_through"), order)
    churn = action.eq("churn")
    rj.reject(bad_paid & churn, "paid_through", N_("not a date"))

    end = end.where(~(churn & end.isna()), paid_through)
    rj.reject(churn & end.isna(), "status", N_("stopped paying with no end date"))
    rj.reject(action.eq("trial") & trial_end.isna(), "status", N_("trial with no trial end date"))
    rj.reject(end.notna() & start.notna() & (end < start), "end_date", N_("ends before it starts"))
    rj.reject(bounds.too_early(end), "end_date", bounds.TOO_EARLY)
    return start, end, trial_end, sentinel


def _money(coded: pd.DataFrame, resolved: dict[str, str], money_field: str, decimals: dict[str, str], chosen: Preset,
           mapping: Mapping[str, str] | None, rj: _Rejector) -> tuple[pd.Series, pd.Series]:
    """Each row's amount (or MRR) as a number, tax taken off where mapped, cents made whole units; and its currency."""
    money_text = _col(coded, resolved, money_field)
    currency = by_distinct_categorical(as_text(_col(coded, resolved, "currency")), lambda c: c.str.strip().str.upper())
    if "currency" not in resolved:
        currency = currency_markers(money_text)
    money, bad = parse_numbers(money_text, decimals.get(resolved[money_field], "."))
    rj.reject(bad, money_field, N_("not a number"))
    rj.reject(money.isna(), money_field, N_("missing amount"))
    if "tax" in resolved and money_field == "amount" and ("tax" in chosen.fields or "tax" in (mapping or {})):
        # ChartMogul's amount_in_cents includes tax; MRR never does.  A generic column named "tax" is
        # only taken off when the user maps it: whether a file's amounts include tax is not in its name.
        tax, bad_tax = parse_numbers(_col(coded, resolved, "tax"), decimals[resolved["tax"]])
        rj.reject(bad_tax, "tax", N_("not a number"))
        money = money - tax.fillna(0.0)
    rj.reject(money < 0, money_field, N_("negative amount"))
    rj.reject(bounds.too_large(money, bounds.INT64_MICRO_LIMIT), money_field, bounds.TOO_LARGE)
    if chosen.cents:
        rj.reject(money.notna() & (money % 1 != 0), money_field, N_("amount in cents must be a whole number"))
        money = money / minor_unit_divisor(currency.astype(object))
    return money, currency


def _monthly_mrr(coded: pd.DataFrame, resolved: dict[str, str], basis: str, money: pd.Series, start: pd.Series,
                 end: pd.Series, decimals: dict[str, str], rj: _Rejector) -> tuple[pd.Series, pd.Series]:
    """Monthly normalisation (METRICS.md §1): MRR as given, over the service period, or amount × quantity / months."""
    index = money.index
    quantity = pd.Series(1.0, index=index)
    if "quantity" in resolved:
        quantity, bad_qty = parse_numbers(_col(coded, resolved, "quantity"), decimals[resolved["quantity"]])
        quantity = quantity.fillna(1.0)
        rj.reject(bad_qty | (quantity < 0), "quantity", N_("quantity must be a number of 0 or more"))
        rj.reject(bounds.too_large(quantity, bounds.MAX_QUANTITY), "quantity", bounds.QUANTITY_TOO_LARGE)

    if basis == "mrr":
        mrr = money
    elif basis == "period":
        rj.reject(end.isna(), "end_date", N_("missing service period end"))
        rj.reject(end.notna() & start.notna() & (end <= start), "end_date", N_("empty service period"))
        months = period_months(start, end)
        mrr = money / months.where(months > 0)
    else:
        months, bad_interval = parse_billing_intervals(_col(coded, resolved, "interval"))
        rj.reject(bad_interval, "interval", N_("unknown billing interval (use day, week, month, quarter or year)"))
        count = pd.Series(1.0, index=index)
        if "interval_count" in resolved:
            count, bad_count = parse_numbers(_col(coded, resolved, "interval_count"), decimals[resolved["interval_count"]])
            count = count.fillna(1.0)
            rj.reject(bad_count | (count <= 0), "interval_count", N_("interval count must be a positive number"))
            rj.reject(bounds.too_large(count, bounds.MAX_INTERVAL_COUNT), "interval_count", bounds.COUNT_TOO_LARGE)
        mrr = money * quantity / (months * count)
    return mrr, quantity


def _conversion(currency: pd.Series, start: pd.Series, mrr: pd.Series, file: str, resolved: dict[str, str], money_field: str,
                reporting_currency: str | None, rates: Mapping[str, float] | None, rj: _Rejector):
    """Factors to the reporting currency for the rows still alive (the user's rates, else the ECB's of each
    row's start date), and the monthly-amount ceiling in that currency.

    Returns (factors, reporting currency, rates used, where the rates came from, rows dated after the last rate).
    """
    ceiling = bounds.max_monthly_amount()
    alive_codes = rj.living(currency)
    several = alive_codes[alive_codes.ne("")].nunique() > 1
    if several or (reporting_currency and alive_codes.ne("").any()):
        rj.reject(currency.eq(""), "currency", N_("missing currency in a file with several currencies"))
    # Several currencies without the user's rates for all of them: ECB rates of each row's start date.
    dated = dated_conversion(rj.living(currency), rj.living(start), file, resolved.get("currency", resolved[money_field]),
                             reporting_currency, rates)
    rates_source, after_last_rate = "", 0
    if dated is not None:
        factors, reporting, used_rates, rates_source, after_last_rate = dated
    else:
        # Factors depend on each cell's code alone: computed once per distinct code, then spread to the rows.
        living = rj.living(currency)
        codes, distinct_codes = distinct_cells(living)
        per_code, reporting = conversion_factors(distinct_codes, file, resolved.get("currency", resolved[money_field]),
                                                 reporting_currency, rates)
        factors = pd.Series(per_code.to_numpy().take(codes), index=living.index, copy=False)
        used_rates = {}
        if reporting_currency:
            pairs = pd.DataFrame({"code": living.to_numpy(), "factor": factors.to_numpy()}).drop_duplicates("code", keep="last")
            used_rates = {c: float(f) for c, f in zip(pairs["code"], pairs["factor"], strict=True) if c}
            rates_source = "your rates" if any(c != reporting for c in used_rates) else ""
    # Bounds on what the engine will hold: the monthly amount in the reporting currency.
    over = bounds.too_large((rj.living(mrr) * factors).reindex(currency.index), ceiling)
    if over.any():
        rj.reject(over, money_field, bounds.TOO_LARGE)
        factors = factors[rj.alive[factors.index].to_numpy()]
    return factors, reporting, used_rates, rates_source, after_last_rate
