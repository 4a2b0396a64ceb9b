"""The upload flow of the Data page: read a file, show how it will be read, let the user fix it, load it.

For each file: the detected format (Stripe, Chargebee…), each field's source column (editable,
savable as JSON), the sheet of a workbook, the day/month order when the file cannot tell, a
preview of the first rows as they will be read (with the reason a row would be rejected), the
status policy, and currency rates when the file mixes currencies.  Uploaded bytes stay in
this session's state only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from retention import columns, formatting
from retention.dataset import InputFile, load_dataset
from retention.i18n import located
from retention.importing import (
    DEFAULT_STATUS_POLICY,
    AmbiguousDateOrder,
    LoadError,
    mapping_from_json,
    mapping_to_json,
    parsed_rows,
    preview,
    read_rates,
    sheet_names,
    suggest_mapping,
    whole_file,
)
from retention.importing.arrow_csv import plain_text
from retention.importing.budget import Stopped, limits
from retention.importing.kinds import refuse_other_kind
from retention.importing.ledger import LedgerSettings
from retention.importing.mapping import CUSTOMER_FIELDS, SUBSCRIPTION_FIELDS, require
from ui import state
from ui.render import md, unique_headers  # file names, column names and cell values are the user's: never Markdown

NONE = "—"
SCAN_ROWS = 5_000  # rows of a workbook read to show the mapping and preview; loading reads them all
REQUIRED = {"subscriptions": ("customer_id", "start_date"), "customers": ("customer_id",)}
UPLOAD_TYPES = ["csv", "txt", "tsv", "xlsx", "gz", "zip"]
KEEP_PARSED_BYTES = 32 * 1024 ** 2
"""Files up to this size keep their parsed rows in the session between reruns of the Data page; a larger file is
read again on each rerun, as its parsed rows would hold several times its size in memory while the page is open."""


@dataclass
class Choice:
    """A file and how to read it, as the user confirmed it."""

    kind: str
    data: bytes
    name: str
    mapping: dict[str, str]
    options: dict[str, object] = field(default_factory=dict)
    parsed: pd.DataFrame | None = None  # every row of a CSV as the page read it once (`importing.parsed_rows`)

    def input_file(self) -> InputFile:
        """The file as the importer takes it, with the options that apply to its kind (and the rows already read)."""
        return InputFile(self.data, self.name, self.mapping, _read_options(self.kind, self.options), parsed=self.parsed)


def session_gone() -> Callable[[], bool] | None:
    """A check that turns true once this browser session has ended (tab closed and its TTL passed)."""
    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None or not Runtime.exists():
        return None
    runtime, session_id = Runtime.instance(), ctx.session_id
    return lambda: not runtime.is_active_session(session_id)


def _date_order_picker(key: str) -> str | None:
    tr = state.tr()
    labels = {"auto": tr("Decide from the data"), "dmy": tr("Day first (31/12/2024)"), "mdy": tr("Month first (12/31/2024)")}
    choice = st.radio(tr("Dates like 03/04/2024 are"), list(labels), format_func=labels.get, horizontal=True,
                      key=f"date_order_{key}")
    return None if choice == "auto" else choice


def mapping_editor(kind: str, data: bytes, file: str) -> Choice | None:
    """Show how the file will be read and let the user change it; None when it cannot be read.

    Steps, in the order the page shows them: the workbook sheet, the file's first rows and detected
    format, a saved mapping, the column mapping, the kind's read options, the required columns, the preview.
    """
    options: dict[str, object] = {}
    sheet = _sheet_choice(kind, data, file)
    if sheet is not None:
        options["sheet"] = sheet
    identity = _fingerprint(data)  # once a run: the remembered head and preview are keyed by it
    head = _read_head(kind, data, file, sheet, identity)
    if head is None:
        return None
    raw, preset, detected = head
    columns = list(raw.columns)
    if preset is not None:
        options["preset"] = preset.key
        st.caption(md(state.tr()("{file}: detected format {preset}", file=file, preset=state.tr()(preset.name))))
    detected = _saved_mapping(kind, columns, detected, options)
    mapping = _column_mapping(kind, file, columns, detected, options)
    options["date_order"] = _date_order_picker(kind)
    if kind == "subscriptions":
        _subscription_options(kind, raw, preset, mapping, options)
    if not _has_required(kind, file, mapping, columns):
        return None
    parsed = raw if whole_file(raw) else None  # a CSV is read once for its columns, its preview and its load
    if not _preview(kind, data, file, mapping, options, parsed, identity):
        return None
    return Choice(kind, data, file, mapping, options, parsed)


def _sheet_choice(kind: str, data: bytes, file: str) -> str | None:
    """The sheet to read when a workbook has several (None for a CSV or a one-sheet workbook)."""
    try:
        sheets = sheet_names(data, file) if data[:2] == b"PK" and file.lower().endswith((".xlsx", ".xlsm")) else []
    except LoadError:
        sheets = []
    if len(sheets) > 1:
        return st.selectbox(state.tr()("Sheet of {file}", file=md(file)), sheets, key=f"sheet_{kind}")
    return None


def _fingerprint(data: bytes) -> str:
    """The upload's identity for the session's memo: SHA-256 (the CPU's SHA instructions make it the fastest of
    hashlib's hashes here, about 1 GB/s; BLAKE2b took twice as long on a 4.6 MB export)."""
    return hashlib.sha256(data).hexdigest()


def _remembered(step: str, kind: str, key: tuple, compute: Callable[[], object]) -> object:
    """`compute()` once per file and settings, for this session: every widget change on the Data page reruns it,
    and reading a 20,000-customer CSV again for each rerun cost more than the rest of the page.  Only the latest
    answer per step and kind is kept (an error too: it is what the same file and settings give)."""
    memo = st.session_state.setdefault("upload_memo", {})
    found = memo.get((step, kind))
    if found is None or found[0] != key:
        try:
            found = (key, compute(), None)
        except (LoadError, AmbiguousDateOrder) as exc:
            found = (key, None, exc)
        memo[(step, kind)] = found
    if found[2] is not None:
        raise found[2]
    return found[1]


def _read_head(kind: str, data: bytes, file: str, sheet: str | None, identity: str):
    """The file's first rows, its detected format and column mapping; None (with a message) when unreadable."""
    tr = state.tr()

    def read():
        with limits(stopped=session_gone()):  # a workbook: only its first rows, and never past the session's end
            raw = parsed_rows(data, file, sheet=sheet, max_rows=SCAN_ROWS)
        return raw, *suggest_mapping(list(raw.columns), file, kind=kind, sample=plain_text(raw.head(200)))

    try:
        if len(data) <= KEEP_PARSED_BYTES:
            raw, preset, detected = _remembered("head", kind, (file, identity, sheet), read)
            detected = dict(detected)
        else:
            raw, preset, detected = read()
    except Stopped:
        st.stop()
    except LoadError as exc:
        st.error(md(exc.message(tr)))
        return None
    for template, params in raw.attrs.get("notes", ()):
        st.warning(md(located(tr, file, None, None, template, params)))
    return raw, preset, detected


def _saved_mapping(kind: str, columns: list[str], detected: dict[str, str], options: dict[str, object]) -> dict[str, str]:
    """A mapping saved earlier as JSON replaces the detected one (only columns this file has)."""
    tr = state.tr()
    saved = st.file_uploader(tr("Load a saved mapping (JSON)"), type=["json"], key=f"saved_map_{kind}")
    if saved is None:
        return detected
    try:
        loaded = mapping_from_json(saved.getvalue().decode("utf-8", errors="replace"))
    except (ValueError, LoadError) as exc:
        st.error(md(tr("The saved mapping could not be read: {message}", message=str(exc))))
        return detected
    if loaded.preset:
        options["preset"] = loaded.preset
    return {k: v for k, v in loaded.mapping.items() if v in columns}


def _column_mapping(kind: str, file: str, columns: list[str], detected: dict[str, str],
                    options: dict[str, object]) -> dict[str, str]:
    """Each field's source column, changeable, and the mapping as a JSON download."""
    tr = state.tr()
    fields = SUBSCRIPTION_FIELDS if kind == "subscriptions" else CUSTOMER_FIELDS
    mapping: dict[str, str] = {}
    with st.expander(tr("Column mapping for {file}", file=md(file)), expanded=False):
        st.caption(tr("Each field of the dashboard and the column of your file it is read from. "
                      "Required: {fields}. Give either mrr, or amount and interval.", fields=", ".join(REQUIRED[kind])))
        grid = st.columns(3)
        for i, name in enumerate(fields):
            choices = [NONE, *columns]
            current = detected.get(name, NONE)
            picked = grid[i % 3].selectbox(name, choices, index=choices.index(current) if current in choices else 0,
                                           key=f"map_{kind}_{name}")
            if picked != NONE:
                mapping[name] = picked
        st.download_button(tr("Save this mapping (JSON)"),
                           lambda m=dict(mapping): mapping_to_json(m, preset=options.get("preset"), sheet=options.get("sheet")),
                           file_name=f"mapping-{kind}.json", mime="application/json", on_click="ignore",
                           key=f"save_map_{kind}")
    return mapping


def _subscription_options(kind: str, raw: pd.DataFrame, preset, mapping: dict[str, str], options: dict[str, object]) -> None:
    """Payment-history settings, currency conversion and how each status is counted."""
    tr = state.tr()
    if preset is not None and preset.basis == "ledger":
        options["ledger_settings"] = _ledger_settings(kind)
    _currency_options(raw, mapping, options)
    # Distinct cells first (each Data page run asks; 42,000 rows took 9 ms a column, their few distinct values 0.7 ms).
    statuses = sorted({s.strip().lower() for s in raw[mapping["status"]].drop_duplicates().astype(str) if s.strip()}) \
        if "status" in mapping else []
    if statuses:
        st.caption(md(tr("How statuses are counted: {lines}",
                         lines="; ".join(DEFAULT_STATUS_POLICY.describe(statuses[:12], tr)))))


def _has_required(kind: str, file: str, mapping: dict[str, str], columns: list[str]) -> bool:
    """One message, and no Load button, until the mapping has every required column."""
    try:
        if kind == "subscriptions" and not set(REQUIRED[kind]) <= mapping.keys():
            refuse_other_kind(columns, file)  # the plans list or the events in the subscriptions upload: say so
    except LoadError as exc:
        st.error(md(exc.message(state.tr())))
        return False
    try:
        for name in REQUIRED[kind]:
            require(mapping, name, file, columns)
    except LoadError as exc:
        st.error(md(exc.message(state.tr())) + "  \n" + state.tr()("Choose the column in the column mapping above."))
        return False
    return True


def _ledger_settings(key: str) -> LedgerSettings:
    """A payment history: the grace period before a late payment counts as churn."""
    tr = state.tr()
    st.info(tr("This file is a payment history: subscriptions are inferred from each customer's payments "
               "(monthly, quarterly, half-yearly or yearly, read from the gaps between them)."))
    days = st.number_input(tr("Grace period before churn (days)"), min_value=0, max_value=366, value=14, step=1,
                           key=f"grace_days_{key}")
    return LedgerSettings(grace_days=int(days))


def _currency_options(raw: pd.DataFrame, mapping: dict[str, str], options: dict[str, object]) -> None:
    """When a file mixes currencies, ask for the reporting currency and the rates to convert with."""
    tr = state.tr()
    if "currency" not in mapping:
        return
    found = sorted({c.strip().upper() for c in raw[mapping["currency"]].drop_duplicates().astype(str) if c.strip()})
    if len(found) < 2:
        return
    st.info(md(tr("This file has amounts in {currencies}. They are converted to the currency you pick at the European "
                  "Central Bank reference rate of each amount's date (built in, no connection needed). To use your own "
                  "rates instead, upload a CSV with the columns currency and rate_to_reporting.",
                  currencies=", ".join(found))))
    left, right = st.columns(2)
    options["reporting_currency"] = left.selectbox(tr("Report in"), found, key="reporting_currency")
    rates_file = right.file_uploader(tr("Conversion rates (CSV)"), type=["csv", "txt"], key="rates_upload")
    if rates_file is not None:
        try:
            options["rates"] = read_rates(rates_file.getvalue(), rates_file.name)
        except LoadError as exc:
            st.error(md(exc.message(tr)))


def _preview(kind: str, data: bytes, file: str, mapping: dict[str, str], options: dict[str, object],
             parsed: pd.DataFrame | None, identity: str) -> bool:
    """Show the first rows as they will be read; False (after one message) when the file cannot be loaded as set."""
    tr = state.tr()
    read = _read_options(kind, options)
    key = (file, identity, tuple(sorted(mapping.items())), repr(sorted(read.items())))
    try:
        shown = _remembered("preview", kind, key,
                            lambda: preview(data, file, mapping, kind=kind, rows=8, parsed=parsed, **read))
    except AmbiguousDateOrder as exc:
        st.warning(md(exc.message(tr)) + "  \n" + tr("Pick the date order above."))
        return False
    except LoadError as exc:
        st.error(md(exc.message(tr)))
        return False
    st.caption(tr("The first rows as they will be read (a reason means the row will be rejected):"))
    st.dataframe(_preview_text(shown, tr), hide_index=True, width="stretch")
    return True


def _preview_text(shown: pd.DataFrame, tr) -> pd.DataFrame:
    """The preview as people read it: headers and reasons in their language, days as dates, numbers their way,
    and a dash (or nothing) for a cell the row does not have (a rejected row has no typed values), never "None".
    Amounts are plain numbers here: before loading, a row's currency is still its own."""
    out = []
    for name in shown.columns:
        values = shown[name]
        if name == "reject_reason":
            values = values.map(lambda reason: tr(reason) if reason else "")
        digits = None
        if pd.api.types.is_datetime64_any_dtype(values.dtype):
            kind = "date"
        elif pd.api.types.is_float_dtype(values.dtype):
            kind, digits = "number", 0 if values.dropna().mod(1).eq(0).all() else 2  # a quantity of 3, an MRR of 33.33
        else:
            kind = "text"
        write = formatting.cell_formatter(kind, tr.language, digits=digits)
        out.append([write(v) for v in values])
    headers = unique_headers([columns.header(str(name), tr) for name in shown.columns])  # e.g. the id and a "Customer" column
    return pd.DataFrame(dict(zip(headers, out, strict=True)), columns=headers)


def _read_options(kind: str, options: dict[str, object]) -> dict[str, object]:
    keys = ("preset", "date_order", "sheet", "reporting_currency", "rates", "ledger_settings") if kind == "subscriptions" \
        else ("date_order", "sheet")
    return {k: options[k] for k in keys if options.get(k) is not None}


def load_uploads(subs: Choice, customers: Choice | None, extras: dict[str, tuple[bytes, str]] | None = None) -> bool:
    """Load the files into the session's data set; show a clear error and keep the old data on failure."""
    tr = state.tr()
    # Millions of rows take seconds to read: show what is happening, with the time spent, rather than a still page.
    with st.spinner(tr("Loading {file}…", file=md(subs.name)), show_time=True), limits(stopped=session_gone()):
        try:
            extra = {kind: InputFile(extra_data, extra_name) for kind, (extra_data, extra_name) in (extras or {}).items()}
            dataset = load_dataset(subs.input_file(), customers.input_file() if customers is not None else None,
                                   events=extra.get("events"), surveys=extra.get("surveys"),
                                   churn_reasons=extra.get("churn_reasons"))
        except Stopped:
            return False  # the browser session ended: nobody is waiting for this file any more
        except AmbiguousDateOrder as exc:
            st.error(md(exc.message(tr)) + "  \n" + tr("Pick the date order in the file's settings above and load again."))
            return False
        except LoadError as exc:
            st.error(md(exc.message(tr)))
            return False
        nobody_paying = dataset.model().mrr.size == 0
    if nobody_paying:
        st.warning(tr("The file loaded, but no paying customer is active on any month-end up to {date}. "
                      "Check the dates and amounts, or the rejected rows below.", date=dataset.default_as_of().date()))
    state.set_dataset(dataset, source="upload")
    return True
