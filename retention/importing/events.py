"""Read a usage-events export into the canonical events table (METRICS.md §1 and §8).

Event exports are the biggest files a user uploads (tens of millions of rows), so every step is
a column operation: timestamps are parsed in one `to_datetime` call, ids become categoricals
(one small dictionary plus int codes instead of millions of Python strings), and rejects are
built per check, not per row.

Some exports (RavenStack's usage table, many product-analytics exports of B2B tools) key events
by subscription rather than by customer; given the subscriptions table, those are mapped to
their customer, and an id the subscriptions do not know is rejected with a reason instead of
silently becoming a customer of its own.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from retention.i18n import N_
from retention.importing.errors import LoadError, empty_rejects, rejects_frame
from retention.importing.ids import as_text_cells, is_ids, text_except
from retention.importing.mapping import normalise_name, require, resolve_mapping
from retention.importing.reader import read_table
from retention.importing.result import LoadResult

EVENT_FIELDS = ("timestamp", "user_id", "customer_id", "subscription_id", "event")
EVENT_COLUMNS = ["timestamp", "user_id", "customer_id", "event"]
EVENT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "timestamp": (
        "time", "event_time", "event_timestamp", "occurred_at", "created_at", "event_date", "datetime", "ts",
        "date", "usage_date", "day", "activity_date", "server_timestamp", "client_timestamp",
    ),
    "user_id": ("user", "user id", "distinct_id", "member_id", "visitor_id", "person_id", "uid"),
    "customer_id": (
        "customer", "customer id", "account_id", "account id", "account", "client_id", "company_id",
        "organization_id", "organisation_id", "org_id", "tenant_id", "workspace_id", "group_id",
    ),
    "subscription_id": ("subscription", "subscription id", "sub_id"),
    "event": ("event_name", "event_type", "action", "feature", "feature_name", "name", "type"),
}
DATE_ONLY_ATTR = "date_only"
"""`table.attrs` flag: every timestamp was a bare date, so a time zone must not move it to another day."""

_EPOCH_UNITS = {10: "s", 13: "ms"}
_NS_PER_DAY = 86_400 * 1_000_000_000


class RowRejects:
    """Collects rejects while narrowing a text table to its good rows, one reason per row.

    The first check a row fails gives its reason, so each rejected row appears once and
    `rows read = rows used + rows rejected` holds by construction.
    """

    def __init__(self, file: str, raw: pd.DataFrame, mapping: Mapping[str, str]) -> None:
        self.file = file
        self.raw = raw
        self.mapping = mapping
        self.alive = np.ones(len(raw), dtype=bool)
        self.parts: list[pd.DataFrame] = []

    def reject(self, mask: np.ndarray | pd.Series, field: str, reason: str) -> None:
        mask = np.asarray(mask, dtype=bool) & self.alive
        if not mask.any():
            return
        column = self.mapping.get(field, field)
        rows = self.raw.index[mask]
        values = self.raw[column].iloc[np.flatnonzero(mask)].to_numpy(dtype=object) if column in self.raw else [""] * int(mask.sum())
        self.parts.append(rejects_frame(self.file, rows, column, values, reason))
        self.alive &= ~mask

    def rejects(self) -> pd.DataFrame:
        if not self.parts:
            return empty_rejects()
        return pd.concat(self.parts, ignore_index=True).sort_values("row", kind="stable").reset_index(drop=True)


def _arrow_iso(text: pd.Series, empty: np.ndarray) -> pd.Series | None:
    """Every non-empty cell read as ISO 8601 by Arrow's vectorised parser (UTC; offset-free cells taken
    as UTC), or None when some cell is not plain ISO 8601 (then pandas' parsers decide, cell by cell).

    Why: Arrow reads a million ISO timestamps several times faster than `pd.to_datetime`, and
    analytics exports are almost always ISO 8601 throughout.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if is_ids(text):  # Arrow text already (the reader's form of a column of distinct cells)
        cells = pc.if_else(pa.array(empty), pa.scalar(None, pa.string()), text.array.__arrow_array__())
    else:
        try:
            cells = pa.array(text.to_numpy(dtype=object), type=pa.string(), mask=empty)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return None
    for target in (pa.timestamp("ns", tz="UTC"), pa.timestamp("ns")):
        try:
            stamps = pc.cast(cells, target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        if target.tz is None:
            stamps = pc.assume_timezone(stamps, "UTC")
        return pd.Series(stamps.to_pandas().array, index=text.index).astype("datetime64[ns, UTC]")
    return None


def parse_timestamps(values: pd.Series) -> tuple[pd.Series, np.ndarray, bool]:
    """Timestamps in UTC from text: ISO 8601 (with or without offset), other common layouts, Unix epochs.

    Returns (timestamps, bad, date_only).  A timestamp without an offset is taken as UTC, the
    convention of analytics exports.  10-digit and 13-digit numbers are Unix seconds and
    milliseconds (Segment, Mixpanel, Amplitude raw exports).  `date_only` is True when every
    timestamp is a midnight (bare dates, or a time part that is always 00:00): such events
    belong to that calendar day in any time zone.

    Speed matters here (tens of millions of cells): a trailing `Z` is dropped before parsing
    because pandas parses offset-free ISO text about ten times faster, and the slower parsers
    (epochs, free-form layouts) only see the cells the fast one could not read.
    """
    empty = values.eq("").to_numpy()
    parsed = _arrow_iso(values, empty)
    if parsed is None:
        text = as_text_cells(values).astype(str)
        first = text[~empty].head(50)
        text_fast = text.str.removesuffix("Z") if len(first) and first.str.endswith("Z").all() else text
        parsed = pd.to_datetime(text_fast.where(~empty), format="ISO8601", errors="coerce", utc=True)
    missing = parsed.isna().to_numpy() & ~empty
    if missing.any():
        rest = as_text_cells(values[missing]).astype(str)
        digits = rest.str.fullmatch(r"\d{10}|\d{13}").to_numpy()
        retry = pd.to_datetime(rest.where(~digits), format="mixed", errors="coerce", utc=True, dayfirst=False)
        for length, unit in _EPOCH_UNITS.items():
            pick = digits & (rest.str.len().to_numpy() == length)
            if pick.any():
                retry[pick] = pd.to_datetime(pd.to_numeric(rest[pick]), unit=unit, utc=True)
        parsed.loc[missing] = retry.astype("datetime64[ns, UTC]")  # aligned on the rows; an all-NaT retry keeps its zone
    parsed = parsed.astype("datetime64[ns, UTC]")
    nanos = parsed.to_numpy(dtype="datetime64[ns]").view(np.int64)
    good = ~np.isnat(parsed.to_numpy(dtype="datetime64[ns]"))
    bad = ~good & ~empty
    date_only = bool(good.any()) and bool((nanos[good] % _NS_PER_DAY == 0).all())
    return parsed, bad, date_only


def _used_categories(values: pd.Series) -> pd.Series:
    """`values.cat.remove_unused_categories()` by counting codes instead of sorting them (0.4 s on a million events);
    the column as it is when every category is in use (no row of a category was rejected)."""
    codes = values.cat.codes.to_numpy()
    used = np.bincount(codes[codes >= 0], minlength=len(values.cat.categories)) > 0
    if used.all():
        return values
    return values.cat.remove_categories(values.cat.categories[~used])


def _ids(raw: pd.DataFrame, mapping: Mapping[str, str], field: str) -> pd.Series:
    """An id column as a categorical ("" becomes missing), or all-missing when the file has none."""
    if field not in mapping:
        return pd.Series(pd.Categorical([None] * len(raw), categories=pd.Index([], dtype=object)), index=raw.index)
    text = raw[mapping[field]]
    if is_ids(text):  # Arrow text (ids nearly all distinct in the first rows): encoded by Arrow, no string per row
        return _arrow_categorical(text)
    ids = text.where(text.ne("")).astype("category")
    if isinstance(text.dtype, pd.CategoricalDtype):
        # Dictionary-encoded by the reader (categories in order of appearance, all used): the same sorted
        # categories `astype("category")` gives plain text, by recoding, without hashing every row.
        ids = ids.cat.set_categories(sorted(c for c in ids.cat.categories if c != ""))
    return ids


def _arrow_categorical(text: pd.Series) -> pd.Series:
    """Arrow id text as the categorical `astype("category")` gives (sorted categories, "" missing), built from
    Arrow's dictionary encoding: one code per row and a Python string per distinct id only."""
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    cells = uniques.to_numpy(dtype=object)
    kept = np.flatnonzero(cells != "")
    order = kept[np.argsort(cells[kept], kind="stable")]
    recode = np.full(len(cells) + 1, -1, dtype=np.int64)  # the extra last slot maps code -1 (missing) to missing
    recode[order] = np.arange(len(order))
    column = pd.Categorical.from_codes(recode[codes], categories=pd.Index(cells[order], dtype=object), validate=False)
    return pd.Series(column, index=text.index)


def subscription_owners(subscriptions: pd.DataFrame) -> pd.Series:
    """subscription_id -> customer_id from the canonical subscriptions (first span wins on repeats)."""
    pairs = subscriptions[["subscription_id", "customer_id"]].astype(str)
    pairs = pairs.drop_duplicates("subscription_id", keep="first")
    return pd.Series(pairs["customer_id"].to_numpy(), index=pd.Index(pairs["subscription_id"].to_numpy()))


def _customers_from_subscriptions(sub_ids: pd.Series, owners: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Map subscription ids to customers through the category dictionary (work per distinct id, not per row)."""
    categories = sub_ids.cat.categories
    owner_of_category = owners.reindex(categories.astype(str)).to_numpy()
    codes = sub_ids.cat.codes.to_numpy()
    known = np.zeros(len(codes), dtype=bool)
    if len(categories):
        known_category = pd.notna(owner_of_category)
        known = (codes >= 0) & known_category[np.maximum(codes, 0)]
        customer_codes, customer_values = pd.factorize(pd.Series(owner_of_category).where(known_category))
        mapped = np.where(codes >= 0, customer_codes[np.maximum(codes, 0)], -1)
        mapped = np.where(known, mapped, -1)
        customers = pd.Categorical.from_codes(mapped, categories=pd.Index(customer_values, dtype=object))
    else:
        customers = pd.Categorical([None] * len(codes), categories=pd.Index([], dtype=object))
    return pd.Series(customers, index=sub_ids.index), known


def events_from_frame(
    raw: pd.DataFrame,
    file: str,
    mapping: Mapping[str, str] | None = None,
    subscriptions: pd.DataFrame | None = None,
) -> LoadResult:
    """Canonical events from a text table whose index is the spreadsheet row number."""
    columns = list(raw.columns)
    resolved = resolve_mapping(columns, EVENT_FIELDS, file, mapping, synonyms=EVENT_SYNONYMS)
    # Ids become categoricals (many events per user) and timestamps are parsed: both read Arrow text as it is when
    # the reader kept a column so (nearly all cells distinct), without a Python string per row.
    raw = text_except(raw, {resolved[f] for f in ("timestamp", "user_id", "customer_id", "subscription_id", "event")
                            if f in resolved})
    require(resolved, "timestamp", file, columns)
    if not {"user_id", "customer_id", "subscription_id"} & resolved.keys():
        require(resolved, "customer_id", file, columns)
    by_subscription = "subscription_id" in resolved
    if by_subscription and subscriptions is None and not {"user_id", "customer_id"} & resolved.keys():
        raise LoadError(
            file,
            N_("events are keyed by subscription ('{column}'); load the subscriptions file too so each "
            "subscription can be traced to its customer"),
            {"column": resolved["subscription_id"]},
            row=1,
        )
    rj = RowRejects(file, raw, resolved)

    timestamps, bad, date_only = parse_timestamps(raw[resolved["timestamp"]])
    rj.reject(bad, "timestamp", N_("not a date or time"))
    rj.reject(timestamps.isna(), "timestamp", N_("missing date or time"))

    users = _ids(raw, resolved, "user_id")
    customers = _ids(raw, resolved, "customer_id")
    if by_subscription and subscriptions is not None:
        sub_ids = _ids(raw, resolved, "subscription_id")
        from_subs, known = _customers_from_subscriptions(sub_ids, subscription_owners(subscriptions))
        needs = customers.isna().to_numpy()
        has_sub = sub_ids.notna().to_numpy()
        rj.reject(needs & has_sub & ~known, "subscription_id", N_("unknown subscription id (not in the subscriptions file)"))
        if needs.all():
            customers = from_subs
        elif needs.any():  # a customer column with gaps: fill them from the subscription
            filled = np.where(needs, from_subs.to_numpy(dtype=object), customers.to_numpy(dtype=object))
            customers = pd.Series(filled, index=raw.index).astype("category")
    no_actor = users.isna().to_numpy() & customers.isna().to_numpy()
    actor_field = "customer_id" if "customer_id" in resolved else ("user_id" if "user_id" in resolved else "subscription_id")
    missing = N_("missing subscription id") if actor_field == "subscription_id" else N_("missing user and customer id")
    rj.reject(no_actor, actor_field, missing)

    keep = rj.alive
    every = bool(keep.all())  # the usual clean log: no copy of a million rows per column

    def kept(values: pd.Series) -> pd.Series:
        return values if every else values[keep]

    events = (
        _ids(raw, resolved, "event")
        if "event" in resolved
        else pd.Series(pd.Categorical([None] * len(raw), categories=pd.Index([], dtype=object)), index=raw.index)
    )
    table = pd.DataFrame(
        {
            "timestamp": kept(timestamps),
            "user_id": _used_categories(kept(users)),
            "customer_id": _used_categories(kept(customers)),
            "event": _used_categories(kept(events)),
        },
        columns=EVENT_COLUMNS,
        copy=False,
    )
    table.index.name = "row"
    table.attrs[DATE_ONLY_ATTR] = date_only
    return LoadResult(N_("events"), file, table, rj.rejects(), len(raw), resolved,
                      notes=tuple(raw.attrs.get("notes", ())))


def load_events(
    data: bytes,
    file: str,
    mapping: Mapping[str, str] | None = None,
    subscriptions: pd.DataFrame | None = None,
) -> LoadResult:
    """Read usage events from CSV bytes into `timestamp` (UTC), `user_id`, `customer_id`, `event`.

    `subscriptions` is the canonical subscriptions table; it is needed only when events carry a
    subscription id instead of a customer id.
    """
    # Dictionary-encoded id and event columns: ids become categoricals without hashing a million strings.
    return events_from_frame(read_table(data, file, dictionary=True), file, mapping, subscriptions)


def looks_like_events(columns: list[str]) -> bool:
    """True when a header has a time column and an actor column: lets the Data page guess a file's kind."""
    names = {normalise_name(c) for c in columns}
    has = {
        field: any(normalise_name(n) in names for n in (field, *EVENT_SYNONYMS[field]))
        for field in ("timestamp", "user_id", "customer_id", "subscription_id")
    }
    return has["timestamp"] and (has["user_id"] or has["customer_id"] or has["subscription_id"])
