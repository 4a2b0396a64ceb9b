"""The upload flow of the Data page: read a file, let the user check its column mapping, load it.

Uploaded bytes stay in this session's state only.
"""

from __future__ import annotations

import streamlit as st

from retention.dataset import Dataset
from retention.importing import LoadError, load_customers, load_subscriptions
from retention.importing.mapping import CUSTOMER_FIELDS, SUBSCRIPTION_FIELDS, resolve_mapping
from retention.importing.reader import read_table
from ui import state
from ui.render import md  # file names, column names and cell values are the user's: never Markdown

NONE = "—"
REQUIRED = {"subscriptions": ("customer_id", "start_date"), "customers": ("customer_id",)}


def mapping_editor(kind: str, data: bytes, file: str) -> dict[str, str] | None:
    """Show how the file's columns map to the canonical fields and let the user change it."""
    tr = state.tr()
    try:
        raw = read_table(data, file)
    except LoadError as exc:
        st.error(md(exc.message(tr)))
        return None
    columns = list(raw.columns)
    fields = SUBSCRIPTION_FIELDS if kind == "subscriptions" else CUSTOMER_FIELDS
    try:
        detected = resolve_mapping(columns, fields, file)
    except LoadError as exc:
        st.error(md(exc.message(tr)))
        return None
    mapping: dict[str, str] = {}
    with st.expander(tr("Column mapping for {file}", file=md(file)), expanded=False):
        st.caption(tr("Each field of the dashboard and the column of your file it is read from. "
                      "Required: {fields}. Give either mrr, or amount and interval.",
                      fields=", ".join(REQUIRED[kind])))
        grid = st.columns(3)
        for i, field in enumerate(fields):
            options = [NONE, *columns]
            current = detected.get(field, NONE)
            choice = grid[i % 3].selectbox(field, options, index=options.index(current), key=f"map_{kind}_{field}")
            if choice != NONE:
                mapping[field] = choice
        st.dataframe(raw.head(5), hide_index=True)
    return mapping


def load_uploads(subs: tuple[bytes, str, dict[str, str]], customers: tuple[bytes, str, dict[str, str]] | None) -> bool:
    """Load the files into the session's data set; show a clear error and keep the old data on failure."""
    tr = state.tr()
    data, name, mapping = subs
    # Millions of rows take seconds to read: show what is happening, with the time spent, rather than a still page.
    with st.spinner(tr("Loading {file}…", file=md(name)), show_time=True):
        try:
            subscriptions = load_subscriptions(data, name, mapping)
            cust = None
            if customers is not None:
                cdata, cname, cmapping = customers
                cust = load_customers(cdata, cname, cmapping)
        except LoadError as exc:
            st.error(md(exc.message(tr)))
            return False
        dataset = Dataset(subscriptions, cust)
        nobody_paying = dataset.model().mrr.size == 0
    if nobody_paying:
        st.warning(tr("The file loaded, but no paying customer is active on any month-end up to {date}. "
                      "Check the dates and amounts, or the rejected rows below.", date=dataset.default_as_of().date()))
    state.set_dataset(dataset, source="upload")
    return True
