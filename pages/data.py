"""Data: what is loaded, uploading your own exports, and every rejected row with its reason."""

import pandas as pd
import streamlit as st

from retention import formatting
from retention.exports import to_csv_bytes
from retention.i18n import located
from ui import access, connections, import_report, render, state, upload, workspace
from ui.boot import ensure_app

ensure_app()

tr = state.tr()
st.title(tr("Your data"))

source = state.data_source()
sample_notice = st.empty()  # filled at the end of the run: a load in this run replaces the sample

keeps = workspace.enabled()
workspace.notice()
editor = access.can_edit()
if source == "workspace" and workspace.current():
    name, version = workspace.current()
    st.caption(render.md(tr("Saved dataset {name}, version {version}", name=name, version=version)))
if access.mode() == "team" and not editor:
    st.info(tr("You are signed in as a viewer: you can look at every saved dataset and its versions, "
               "but importing, saving and rolling back are for editors."))

connections.panel()
if editor or not keeps:
    with st.container(border=True):
        st.subheader(tr("Upload your exports"))
        st.caption(tr("CSV or Excel files (also .csv.gz and .zip) exported from Stripe, Chargebee, Paddle, ChartMogul, "
                      "Baremetrics or any tool: one row per subscription (or invoice with a service period), and optionally "
                      "one row per customer with attributes such as plan, country or industry to segment by.") + " "
                      + (tr("Your files stay in this browser session until you save them to the workspace below.") if keeps
                         else tr("Your files stay in this browser session and are gone when you close it.")))
        render.uploader_help()
        left, right = st.columns(2)
        subs_file = left.file_uploader(tr("Subscriptions"), type=upload.UPLOAD_TYPES, key="upload_subscriptions")
        cust_file = right.file_uploader(tr("Customers (optional)"), type=upload.UPLOAD_TYPES, key="upload_customers")
        left, right = st.columns(2)
        events_file = left.file_uploader(tr("Usage events (optional)"), type=upload.UPLOAD_TYPES, key="upload_events")
        surveys_file = right.file_uploader(tr("Survey answers (optional)"), type=upload.UPLOAD_TYPES, key="upload_surveys")
        left, _right = st.columns(2)
        reasons_file = left.file_uploader(
            tr("Churn reasons (optional)"), type=upload.UPLOAD_TYPES, key="upload_churn_reasons",
            help=tr("Cancellations with why customers left: customer id, date, reason and optionally a comment and a refund "
                    "(a cancellation export of your billing tool, or churn survey answers)."))
        subs_choice = cust_choice = None
        if subs_file is not None:
            subs_choice = upload.mapping_editor("subscriptions", subs_file.getvalue(), subs_file.name)
        if cust_file is not None:
            cust_choice = upload.mapping_editor("customers", cust_file.getvalue(), cust_file.name)
        buttons = st.columns([1, 1, 3])
        unready = subs_choice is None or (cust_file is not None and cust_choice is None)
        clicked = buttons[0].button(tr("Load files"), type="primary", disabled=unready, key="load_files")
        extras = {kind: (f.getvalue(), f.name) for kind, f in (("events", events_file), ("surveys", surveys_file),
                                                                ("churn_reasons", reasons_file)) if f}
        if clicked and not unready and upload.load_uploads(subs_choice, cust_choice, extras):
            workspace.remember_sources({"subscriptions": subs_file, "customers": cust_file, "events": events_file,
                                        "surveys": surveys_file, "churn_reasons": reasons_file})
            st.success(tr("Loaded. The dashboard pages now show your data."))
        if source == "upload" and buttons[1].button(tr("Back to sample data"), key="back_to_sample"):
            state.set_dataset(state.shared_sample(), source="sample")
            st.rerun()

if keeps and editor and state.data_source() == "upload":
    workspace.save_panel(access.user_name())
if keeps and state.data_source() == "workspace":
    workspace.versions_panel(editor, access.user_name())

data = state.dataset()
if state.data_source() == connections.SOURCE:
    connections.summary(data)
    st.stop()
model = data.model()
st.subheader(tr("What is loaded"))
rows = []
for result in data.results():
    rows.append({
        tr("File"): result.file,
        tr("Table"): tr(result.kind),
        tr("Rows read"): result.rows_read,
        tr("Rows used"): result.rows_used,
        tr("Rows rejected"): result.rows_rejected,
    })
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
import_report.show_import_decisions(data)

language = tr.language
subs = data.subscriptions.table
cols = st.columns(4)
cols[0].metric(tr("Customers with paid subscriptions"), formatting.number(len(model.customer_ids), language))
cols[1].metric(tr("First subscription"), formatting.day(subs["start_date"].min(), language) if len(subs) else "—")
cols[2].metric(tr("Data as of"), formatting.day(model.as_of, language))
cols[3].metric(tr("Currency"), state.currency())
if state.data_source() == "sample":
    sample_notice.info(tr("You are looking at the built-in sample data of a made-up B2B SaaS company. "
                          "Upload your own exports below to see your numbers."))
elif render.currency_assumed():
    st.caption(tr("Your subscriptions file names no currency, so amounts are shown as {currency}. Add a currency "
                  "column to the file if they are in another one.",
                  currency=state.currency()))

rejects = data.rejects()
st.subheader(tr("Rejected rows"))
if rejects.empty:
    st.success(tr("No row was rejected: every row read is used."))
else:
    st.warning(tr("{n} rows could not be used. Each is listed with the file, row, column and reason; "
                  "fix them in your export and upload again.", n=len(rejects)))
    shown = rejects.assign(reason=rejects["reason"].map(tr))
    st.dataframe(shown, hide_index=True, width="stretch")
    st.download_button(tr("Download rejected rows (CSV)"), lambda: to_csv_bytes(rejects), file_name="rejected_rows.csv",
                       mime="text/csv", on_click="ignore", key="rejects_csv")

flagged = data.flagged()
notes = [(result.file, template, params) for result in data.results() for template, params in result.notes]
if len(flagged) or notes:
    st.subheader(tr("To check"))
    for file, template, params in notes:
        st.warning(render.md(located(tr, file, None, None, template, params)))
    if len(flagged):
        st.warning(tr("{n} rows are used but look mistyped (a date years before the rest of the data). The charts start "
                      "at the data's real history; fix the rows in your export if they are wrong.", n=len(flagged)))
        st.dataframe(flagged.assign(reason=flagged["reason"].map(tr)), hide_index=True, width="stretch")

st.subheader(tr("Preview"))
tab_subs, tab_cust = st.tabs([tr("Subscriptions"), tr("Customers")])
with tab_subs:
    render.preview_with_exports(subs, "subscriptions", key="preview_subs")
with tab_cust:
    if data.customers is None:
        st.caption(tr("No customers file loaded: segments are not available."))
    else:
        render.preview_with_exports(data.customers.table, "customers", key="preview_customers")
