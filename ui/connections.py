"""Database connections in the app: the Data page's picker of the connections the operator named.

The operator lists connections in `.streamlit/secrets.toml` (`[retention.connections.NAME]`, see
`retention.warehouse.connections`).  Users see each by its label and open one; its metrics then run
inside the database on every page.  The URL and its credentials never reach the browser: not in a
widget, a message, the session's URL or an export.  An opened connection lives in this session only,
like an upload.
"""

from __future__ import annotations

import streamlit as st

from retention.warehouse.connections import NamedConnection, NamedConnectionError, named_connections, open_connection
from retention.workspace.config import secrets
from ui import state
from ui.render import md

SOURCE = "connection"


def available() -> tuple[dict[str, NamedConnection], str | None]:
    """(connections by name, a message when the secrets' connection settings cannot be read)."""
    tr = state.tr()
    try:
        return named_connections(secrets()), None
    except NamedConnectionError as exc:
        return {}, tr("The database connection {name} is not set up right: {detail}. Fix it in .streamlit/secrets.toml.",
                      name=exc.connection, detail=exc.detail)
    except ValueError:
        return {}, tr("The secrets file .streamlit/secrets.toml cannot be read; database connections are not available.")


def shown() -> str | None:
    """The label of the connection this session shows (None for files or the sample)."""
    data = state.dataset() if state.data_source() == SOURCE else None
    return getattr(data, "label", None)


def panel() -> None:
    """The Data page's box: pick a named connection and open it (nothing shown when none is configured)."""
    found, problem = available()
    if not found and problem is None:
        return
    tr = state.tr()
    with st.container(border=True):
        st.subheader(tr("Database connections"))
        st.caption(tr("Connections set up by whoever runs this app. The metrics are computed inside the database and only "
                      "the results per period come back; the connection's address and password are never shown."))
        if problem is not None:
            st.warning(md(problem))
        if not found:
            return
        names = list(found)
        left, right = st.columns([3, 1])
        picked = left.selectbox(tr("Connection"), names, format_func=lambda n: found[n].shown_name, key="connection_pick")
        right.write("")
        clicked = right.button(tr("Open"), type="primary", key="connection_open")
        if clicked and picked in found and open_named(found[picked]):
            st.rerun()
        if state.data_source() == SOURCE and st.button(tr("Back to sample data"), key="connection_close"):
            state.set_dataset(state.shared_sample(), source="sample")
            st.rerun()


def open_named(connection: NamedConnection) -> bool:
    """Open `connection` into the session with named steps; False (and a message without the URL) when it fails."""
    from retention.warehouse.connections import scrub

    tr = state.tr()
    box = st.empty()
    failure: NamedConnectionError | None = None
    with box.status(tr("Opening {name}…", name=connection.shown_name)) as status:
        try:
            status.write(tr("Connecting and reading the tables"))
            data = open_connection(connection)
            status.write(tr("Finding the data's latest date"))
            data.default_as_of()
        except NamedConnectionError as exc:
            failure = exc
        except Exception as exc:  # noqa: BLE001 - a driver error while reading: said without the URL
            failure = NamedConnectionError(connection.shown_name, "open", scrub(f"{type(exc).__name__}: {exc}", connection.url))
    box.empty()  # the box only says what is running; the outcome speaks for itself
    if failure is not None:
        st.error(md(message(failure)))
        return False
    state.set_dataset(data, source=SOURCE)
    st.session_state.pop("workspace_dataset", None)
    return True


def message(exc: NamedConnectionError) -> str:
    """What a user reads when a connection fails: its name, what failed, the scrubbed reason, what to do."""
    tr = state.tr()
    if exc.code == "table":
        return tr("The connection {name} opened, but its tables cannot be read as subscriptions: {detail}. "
                  "Ask whoever runs this app to check its table and column settings.", name=exc.connection, detail=exc.detail)
    return tr("The connection {name} could not be opened ({detail}). Ask whoever runs this app to check it.",
              name=exc.connection, detail=exc.detail)


def summary(data) -> None:
    """The Data page's "What is loaded" for a connection: the table read, rows read/used/rejected by reason."""
    import pandas as pd

    from retention import formatting

    tr = state.tr()
    language = tr.language
    st.subheader(tr("What is loaded"))
    st.caption(md(tr("Database connection {name} ({backend}), table {table}. The metrics are computed inside the "
                     "database; only the results per period come back to this app.",
                     name=data.label, backend=data.backend, table=data.table)))
    got = data.intake
    cols = st.columns(5)
    cols[0].metric(tr("Rows read"), formatting.number(got.rows_read, language))
    cols[1].metric(tr("Rows used"), formatting.number(got.rows_used, language))
    cols[2].metric(tr("Rows rejected"), formatting.number(got.rows_read - got.rows_used, language))
    cols[3].metric(tr("Data as of"), formatting.day(data.default_as_of(), language))
    cols[4].metric(tr("Currency"), data.currency())
    if data.currency_assumed():
        st.caption(tr("The connection names no currency, so amounts are shown as {currency}. Whoever runs this app "
                      "can set currency = \"EUR\" (or another code) in its settings.", currency=data.currency()))
    st.subheader(tr("Rejected rows"))
    rejected = data.intake_frame()
    if rejected.empty:
        st.success(tr("No row was rejected: every row read is used."))
    else:
        st.warning(tr("{n} rows of the table could not be used; they are counted by reason in the database. Fix them "
                      "at their source.", n=int(rejected["rows"].sum())))
        shown = pd.DataFrame({tr("Reason"): rejected["reason"].map(tr), tr("Rows"): rejected["rows"]})
        st.dataframe(shown, hide_index=True, width="stretch")
    if not data.has_customers:
        st.caption(tr("No customers table in this connection: segments are not available."))
    st.caption(tr("The rows stay in the database, so there is no preview here: the Customer page shows one "
                  "customer's subscriptions."))
