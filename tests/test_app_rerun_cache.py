"""A page run again with the same inputs reuses what it built (issue 20: server CPU per run), per session.

Ten founders clicking at once share two cores, so what a page computes from the same data and view is kept in the
session (`ui.state.cached`): the Revenue page's plan tables, the Customer page's search and charts.  A different
language is a different result (its text is translated), and tables show the reader's separators.
"""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow as pa
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


def _own_copy_of_the_sample(language: str = "en") -> AppTest:
    """A session showing a private copy of the sample, as after an upload: its results stay in the session."""
    import ui.state

    at = AppTest.from_file(APP, default_timeout=120)
    at.context = {"locale": "en-US"}
    at.session_state["language"] = language
    at.session_state["dataset"] = ui.state.load_sample()
    at.session_state["data_source"] = "upload"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _results(at: AppTest, kind: str) -> dict:
    return {key: value for key, value in at.session_state["results"].items() if key[0] == kind}


def _go(at: AppTest, page: str) -> None:
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]


def test_revenue_plan_tables_are_computed_once_per_view() -> None:
    at = _own_copy_of_the_sample()
    _go(at, "pages/revenue.py")
    first = {kind: _results(at, kind) for kind in ("plan_movements", "plan_totals", "plan_flows")}
    assert all(len(found) == 1 for found in first.values()), first.keys()
    _go(at, "pages/overview.py")
    _go(at, "pages/revenue.py")
    for kind, found in first.items():
        again = _results(at, kind)
        assert again.keys() == found.keys()
        assert all(again[key] is found[key] for key in found), f"{kind} was computed again"


def test_customer_search_and_charts_are_built_once_per_customer_and_language() -> None:
    at = _own_copy_of_the_sample()
    subscriptions = at.session_state["dataset"].subscriptions.table
    paying = str(subscriptions.loc[(subscriptions["mrr"] > 0) & subscriptions["end_date"].isna(), "customer_id"].iloc[0])
    at.session_state["customer_id"] = paying
    _go(at, "pages/customer.py")
    searches = _results(at, "find_customers")
    assert ("find_customers", "", 200) in searches
    figures = {key: fig for key, fig in _results(at, "figure").items() if key[1] in ("customer_timeline", "customer_mrr")}
    assert {key[1] for key in figures} == {"customer_timeline", "customer_mrr"}
    _go(at, "pages/overview.py")
    _go(at, "pages/customer.py")
    assert all(_results(at, "find_customers")[key] is found for key, found in searches.items())
    assert all(_results(at, "figure")[key] is fig for key, fig in figures.items()), "a chart was built again"

    at.session_state["language"] = "de"
    _go(at, "pages/customer.py")
    german = {key: fig for key, fig in _results(at, "figure").items()
              if key[1] == "customer_mrr" and key[2] == "de"}
    assert len(german) == 1
    title = next(iter(german.values())).layout.title.text
    english = next(fig for key, fig in figures.items() if key[1] == "customer_mrr").layout.title.text
    assert english == "MRR at the end of each month" and title != english


def test_tables_carry_the_readers_display_text() -> None:
    """The Overview's metrics table: numbers underneath, German text on screen (decimal comma)."""
    at = _own_copy_of_the_sample("de")
    _go(at, "pages/overview.py")
    table = at.dataframe[0].proto.arrow_data
    shown = pa.ipc.open_stream(io.BytesIO(table.styler.display_values)).read_pandas()
    values = pa.ipc.open_stream(io.BytesIO(table.data)).read_pandas()
    column = next(c for c in shown.columns if c.endswith("(CRR)"))
    number = float(values[column].dropna().iloc[-1])
    text = shown[column][values[column].notna()].iloc[-1]
    assert text == f"{number:.1f}".replace(".", ",") + "\xa0%"


def test_no_full_garbage_collection_after_every_run() -> None:
    """Streamlit's default `gc.collect(2)` after each script run walked every live object (about 0.2 s of server CPU
    a click, most of a page view's cost); the app turns it off and leaves cycles to Python's own collector."""
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["postScriptGC"] is False


def test_the_data_page_lists_a_files_currencies_and_statuses_once_each() -> None:
    """The upload's currencies and statuses are read from its distinct cells (each Data page run asks)."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.context = {"locale": "en-US"}
    at.run()
    _go(at, "pages/data.py")
    rows = ["customer_id,start_date,mrr,currency,status"] + [
        f"c{i},2024-01-0{1 + i % 5},{10 + i},{(' gbp', 'EUR', 'eur ', 'GBP')[i % 4]},{('Active', ' trialing', 'active')[i % 3]}"
        for i in range(40)]
    at.file_uploader(key="upload_subscriptions").set_value(
        ("subscriptions.csv", "\n".join(rows).encode(), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="reporting_currency").options == ["EUR", "GBP"]
    caption = next(c.value for c in at.caption if c.value.startswith("How statuses are counted")).replace("\\", "")
    assert caption == "How statuses are counted: active: counted as written; trialing: no MRR until the trial ends"


def test_movements_by_plan_per_period_are_drawn_when_opened() -> None:
    """A closed expander's table is not formatted and sent on every run of the Revenue page; opening it shows it."""
    fixture = Path(__file__).parent / "fixtures" / "plan_movements" / "subscriptions.csv"
    at = AppTest.from_file(APP, default_timeout=120)
    at.context = {"locale": "en-US"}
    at.run()
    _go(at, "pages/data.py")
    at.file_uploader(key="upload_subscriptions").set_value(("subs.csv", fixture.read_bytes(), "text/csv")).run()
    at.button(key="load_files").click().run()
    _go(at, "pages/revenue.py")
    per_period = [d for d in at.dataframe if "Period" in d.value.columns and "Plan" in d.value.columns]
    assert per_period == []
    at.session_state["plan_periods_open"] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = next(d.value for d in at.dataframe if "Period" in d.value.columns and "Plan" in d.value.columns)
    basic = shown[(shown["Period"] == "2024-01") & (shown["Plan"] == "Basic")]
    assert basic["New (USD)"].tolist() == [300.0]
