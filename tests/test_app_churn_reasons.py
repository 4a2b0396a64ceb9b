"""AppTest: the Churn reasons page on an upload with a cancellations file, and on the sample without one (issue 18).

Upload of tests/fixtures/churn_reasons (see tests/test_churn_reasons.py for the worked fixture): the data ends
on 2024-04-10, so the complete months are 2024-01 to 2024-03 and c's April churn is not in the range.
Churned: f (Feb, 150, missing features), b (Mar, 200, payment failed), a (Mar, 100, pricing), e (Mar, 80, no
record, unpaid).  With a reason: 3 of 4 = 75 %; involuntary MRR 200 + 80 = 280; d's record has no churn.
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
FIXTURES = Path(__file__).parent / "fixtures" / "churn_reasons"


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_churn_reasons_page_after_uploading_a_cancellations_file() -> None:
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.switch_page("pages/data.py").run()
    uploaders = {u.label: u for u in at.file_uploader}
    uploaders["Subscriptions"].set_value(("subs.csv", (FIXTURES / "subscriptions.csv").read_bytes(), "text/csv"))
    uploaders["Customers (optional)"].set_value(("customers.csv", (FIXTURES / "customers.csv").read_bytes(), "text/csv"))
    uploaders["Churn reasons (optional)"].set_value(
        ("churn_events.csv", (FIXTURES / "churn_events.csv").read_bytes(), "text/csv"))
    at.run()
    at.button(key="load_files").click().run()
    assert not at.exception, [e.value for e in at.exception]
    loaded = next(d.value for d in at.dataframe if "File" in d.value.columns)
    row = loaded[loaded["File"] == "churn_events.csv"].iloc[0]
    assert (row["Table"], row["Rows read"], row["Rows used"], row["Rows rejected"]) == ("churn reasons", 5, 5, 0)

    at.switch_page("pages/churn_reasons.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert _metric(at, "Churned customers") == "4"
    assert _metric(at, "With a reason") == "75.0%"
    assert _metric(at, "Involuntary churned MRR") == "$280"
    assert _metric(at, "Cancellations without a churn") == "1"
    reasons = at.dataframe[0].value
    assert list(reasons.iloc[:, 0]) == ["payment failed", "missing features", "pricing", "No reason recorded"]
    assert list(reasons.iloc[:, 1]) == [1, 1, 1, 1]
    assert list(reasons.iloc[:, 2]) == [200.0, 150.0, 100.0, 80.0]
    assert len(at.get("plotly_chart")) == 3

    at.selectbox(key="churn_reasons_attribute").set_value("country").run()
    assert not at.exception, [e.value for e in at.exception]

    # The customer view shows the customer's own cancellation record.
    at.switch_page("pages/customer.py").run()
    at.text_input(key="customer_search").input("acme").run()
    assert not at.exception, [e.value for e in at.exception]
    record = next(d.value for d in at.dataframe if "Reason" in d.value.columns)
    assert record[["Reason", "Comment", "Churn type"]].values.tolist() == [["pricing", "too expensive for us", "Voluntary"]]


def test_churn_reasons_page_on_the_sample_in_german() -> None:
    """The sample has a cancellation export (retention/sample/churn_reasons.py): the page reads it in German."""
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["language"] = "de"
    at.run()
    at.switch_page("pages/churn_reasons.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Kündigungsgründe"
    assert not at.info  # reasons are loaded
    reasons = at.dataframe[0].value
    assert "Kein Grund erfasst" in list(reasons.iloc[:, 0])
    assert len(at.get("plotly_chart")) == 3


def test_churn_reasons_page_without_a_reasons_file() -> None:
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.switch_page("pages/data.py").run()
    uploaders = {u.label: u for u in at.file_uploader}
    uploaders["Subscriptions"].set_value(("subs.csv", (FIXTURES / "subscriptions.csv").read_bytes(), "text/csv"))
    at.run()
    at.button(key="load_files").click().run()
    at.switch_page("pages/churn_reasons.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("No churn reasons loaded" in i.value for i in at.info)
    assert _metric(at, "Involuntary churned MRR") == "$80"  # e's unpaid subscription says so without a record
