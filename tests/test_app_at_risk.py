"""The at-risk table on the Engagement page follows the session's language and the sidebar's as-of date.

Two bugs this pins (issue 22): the "why" column stayed in the language of the first visit after a
language switch (the engine wrote the text and its cache key lacked the language), and the table
used the data's own as-of date instead of the one picked in the sidebar.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from streamlit.testing.v1 import AppTest

from retention.engine.at_risk import at_risk_accounts
from retention.i18n import translator
from retention.report.at_risk import with_reasons
from tests.test_app import APP
from ui.state import load_sample


def _engagement() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.switch_page("pages/engagement.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _at_risk_frame(at: AppTest) -> pd.DataFrame:
    """The shown table whose cells mention an NPS score (the at-risk table; headers may be translated)."""
    for frame in at.dataframe:
        value = frame.value
        if any(value[c].astype(str).str.contains("NPS").any() for c in value.columns):
            return value
    raise AssertionError("no at-risk table on the Engagement page")


def _ids(frame: pd.DataFrame, known: set[str]) -> list[str]:
    """The column of customer ids (whatever its header, and wherever a name column puts it)."""
    column = max(frame.columns, key=lambda c: frame[c].astype(str).isin(known).sum())
    return frame[column].astype(str).tolist()


def _reasons(frame: pd.DataFrame) -> list[str]:
    column = max(frame.columns, key=lambda c: frame[c].astype(str).str.contains("NPS").sum())
    return frame[column].astype(str).tolist()


def test_reasons_follow_a_language_switch() -> None:
    at = _engagement()
    english = _reasons(_at_risk_frame(at))
    assert any(r.startswith("NPS detractor") or r.startswith("usage down") for r in english)
    at.selectbox(key="language_picker").set_value("de").run()
    assert not at.exception, [e.value for e in at.exception]
    german = _reasons(_at_risk_frame(at))
    de = translator("de")
    detractor = de("NPS detractor (scored {score} on {date})", score="§", date="§").split("§")[0]
    usage = de("usage down {pct} % (last 4 weeks against the 8 weeks before)", pct="§").split("§")[0]
    assert detractor != "NPS detractor (scored "  # the catalog really translates it
    assert len(german) == len(english)
    assert all(r.startswith(detractor) or r.startswith(usage) for r in german), german[:3]


def test_table_uses_the_sidebar_as_of_date() -> None:
    at = _engagement()
    data = load_sample()
    known = set(data.subscriptions.table["customer_id"].astype(str))
    default_ids = _ids(_at_risk_frame(at), known)
    earlier = (data.default_as_of() - pd.DateOffset(months=2)).date()
    picker = next(d for d in at.date_input if d.key and d.key.startswith("as_of_"))
    picker.set_value(earlier).run()
    assert not at.exception, [e.value for e in at.exception]
    as_of = pd.Timestamp(dt.datetime.combine(earlier, dt.time()))
    expected = with_reasons(at_risk_accounts(data.events.table, data.surveys.table, data.model(as_of), 0.5, as_of=as_of))
    shown = _ids(_at_risk_frame(at), known)
    assert shown == expected["customer_id"].astype(str).tolist()
    assert shown != default_ids  # two months earlier the list really is different
