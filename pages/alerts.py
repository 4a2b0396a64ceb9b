"""Alerts and notes: rules that watch a saved dataset, and dated notes drawn on its charts."""

import datetime as dt

import pandas as pd
import streamlit as st

from retention.alerts import KINDS, Rule, add_rule, breaches, list_rules, remove_rule
from retention.engine.metrics import METRIC_NAMES
from retention.glossary import METRICS
from retention.notes import add_note, list_notes, notes_frame, remove_note
from retention.periods import GRANULARITIES, GRANULARITY_NAMES
from retention.report.alerts import describe_breach, describe_rule
from ui import access, controls, render, state
from ui import workspace as saved
from ui.boot import ensure_app

ensure_app()

tr = state.tr()
view = controls.sidebar()
st.title(tr("Alerts and notes"))
current = saved.current()
if current is None:
    st.info(tr("Alerts and notes belong to a saved dataset. Save your data on the Data page (or pick a saved "
               "dataset in the sidebar), then come back."))
    st.stop()
name = current[0]
store = saved.open_store()
editor = access.can_edit()
currency = state.currency()

st.header(tr("Alert rules"))
st.markdown(tr("A rule watches one metric of this dataset: above or below a limit, a change bigger than you expect "
               "from one period to the next, or a value outside the usual band of the last 12 periods (robust to "
               "one odd period). `python -m retention alerts check` sends new breaches by e-mail or chat after each "
               "import, once per rule and period."))
rules = list_rules(store, name)
if rules:
    now = state.cached(("breaches", name, tuple(rules), view.as_of), lambda: breaches(state.dataset(), rules, view.as_of))
    broken = {b.rule.id: describe_breach(b, tr, currency) for b in now}
    shown = pd.DataFrame({
        tr("Rule"): [r.id for r in rules],
        tr("Watches"): [describe_rule(r, tr, currency) for r in rules],
        tr("Now"): [broken.get(r.id, tr("no breach")) for r in rules],
    })
    st.dataframe(shown, hide_index=True, width="stretch")
else:
    st.caption(tr("No rule yet."))

LABELS = {"threshold": tr("Above or below a limit"), "change": tr("Change from the previous period"),
          "anomaly": tr("Outside the usual band")}
if editor:
    with st.form("add_rule", border=True):
        left, middle, right = st.columns(3)
        metric = left.selectbox(tr("Metric"), METRIC_NAMES, format_func=lambda m: tr(METRICS[m].label) if m in METRICS else m)
        kind = middle.selectbox(tr("Kind"), KINDS, format_func=LABELS.get)
        granularity = right.selectbox(tr("Period"), GRANULARITIES, format_func=lambda g: tr(GRANULARITY_NAMES[g]))
        direction_names = {"above": tr("above"), "below": tr("below"), "up": tr("up"), "down": tr("down")}
        direction = left.selectbox(tr("Direction (limit or change)"), list(direction_names), format_func=direction_names.get)
        value = middle.number_input(tr("Limit, or size of the change (points for rates)"), value=3.0, step=0.5)
        if st.form_submit_button(tr("Add rule")):
            if kind == "anomaly":
                direction, value = "outside", 0.0
            elif kind == "threshold" and direction not in ("above", "below"):
                direction = "above"
            elif kind == "change" and direction not in ("up", "down"):
                direction = "down"
            try:
                add_rule(store, name, Rule(metric, kind, direction, float(abs(value) if kind == "change" else value), granularity,
                                           view.segment))
                st.rerun()
            except ValueError as exc:
                st.error(render.md(str(exc)))
    if rules:
        left, right = st.columns([3, 1])
        gone = left.selectbox(tr("Remove rule"), [r.id for r in rules], key="remove_rule_id")
        if right.button(tr("Remove"), key="remove_rule"):
            remove_rule(store, name, int(gone))
            st.rerun()

st.header(tr("Notes on charts"))
st.markdown(tr("Dated notes such as a price change or a launch, drawn as dotted markers on every trend chart of this "
               "dataset and listed in the report and the digest."))
notes = list_notes(store, name)
if notes:
    render.show_table(notes_frame(notes).rename(columns={"id": tr("Note"), "date": tr("Date"), "note": tr("Text"),
                                                         "author": tr("Author")}))
else:
    st.caption(tr("No note yet."))
if editor:
    with st.form("add_note", border=True, clear_on_submit=True):
        left, right = st.columns([1, 3])
        day = left.date_input(tr("Date"), value=view.as_of.date() if view.as_of is not None else dt.date.today())
        text = right.text_input(tr("Note"), max_chars=200)
        if st.form_submit_button(tr("Add note")):
            try:
                add_note(store, name, pd.Timestamp(day), text, access.user_name() or "")
                state.notes_changed()
                st.rerun()
            except ValueError as exc:
                st.error(render.md(str(exc)))
    if notes:
        left, right = st.columns([3, 1])
        gone = left.selectbox(tr("Remove note"), [n.id for n in notes], key="remove_note_id",
                              format_func=lambda i: next(f"{n.day.date()} — {n.text}" for n in notes if n.id == i))
        if right.button(tr("Remove"), key="remove_note"):
            remove_note(store, name, int(gone))
            state.notes_changed()
            st.rerun()
