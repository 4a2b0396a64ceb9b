"""Streamlit entry point: navigation, shared sidebar controls, then the selected page."""

from __future__ import annotations

import streamlit as st

from retention.importing import LoadError
from retention.memory import return_freed_memory
from ui import access, boot, media, state, workspace
from ui.render import md

return_freed_memory()  # Arrow allocates with malloc, so a big upload's freed buffers go back to the system

media.start_sweeper()
state.language_picker()
tr = state.tr()
st.set_page_config(page_title=tr("Retention dashboard"), page_icon=":material/monitoring:", layout="wide")
HOME = "overview"
"""The default page's own path (it is served at `/`); the sign-in form answers there too."""
DASHBOARD = [
    st.Page("pages/overview.py", title=tr("Overview"), icon=":material/dashboard:", default=True, url_path=HOME),
    st.Page("pages/revenue.py", title=tr("Revenue"), icon=":material/payments:"),
    st.Page("pages/churn_reasons.py", title=tr("Churn reasons"), icon=":material/logout:"),
    st.Page("pages/cohorts.py", title=tr("Cohorts"), icon=":material/grid_on:"),
    st.Page("pages/forecast.py", title=tr("Forecast"), icon=":material/trending_up:"),
    st.Page("pages/segments.py", title=tr("Segments"), icon=":material/pie_chart:"),
    st.Page("pages/engagement.py", title=tr("Engagement"), icon=":material/touch_app:"),
    st.Page("pages/feedback.py", title=tr("Feedback"), icon=":material/reviews:"),
    st.Page("pages/customer.py", title=tr("Customer"), icon=":material/person_search:"),
]
ABOUT = [
    st.Page("pages/data.py", title=tr("Data"), icon=":material/upload_file:"),
    st.Page("pages/alerts.py", title=tr("Alerts and notes"), icon=":material/notifications:"),
    st.Page("pages/benchmarks.py", title=tr("Benchmarks"), icon=":material/flag:"),
    st.Page("pages/definitions.py", title=tr("Definitions"), icon=":material/menu_book:"),
]
access.refuse_if_exposed()
if access.signed_out():
    # Team mode before sign-in: no navigation and nothing of the workspace loaded.  The sign-in form
    # answers at every page's address, so a bookmarked link (`/revenue?dataset=…`) shows the form, not
    # Streamlit's "page not found" dialog (which made the form inert), and the run after sign-in opens
    # the page and the dataset the link names (a page is known by its path).
    st.navigation([st.Page(access.sign_in_page, title=tr("Sign in"), icon=":material/login:", url_path=p.url_path or HOME,
                           default=not p.url_path) for p in DASHBOARD + ABOUT], position="hidden").run()
    st.stop()
# Every page listed: collapsed, Streamlit ends the list with a "View 3 more" button it writes in English only.
page = st.navigation({tr("Dashboard"): DASHBOARD, tr("Your data"): ABOUT}, expanded=True)

try:
    state.dataset()
except LoadError as exc:
    st.error(md(tr("The sample data could not be loaded: {message}", message=exc.message(tr))))
    st.stop()
workspace.picker()
access.sidebar_account()

with boot.running_app():
    page.run()
