"""AppTest: every page runs on the sample data and on an uploaded file, and shows the right numbers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
FIXTURES = Path(__file__).parent / "fixtures" / "app"
PAGES = [
    "pages/overview.py", "pages/revenue.py", "pages/cohorts.py", "pages/segments.py", "pages/engagement.py",
    "pages/feedback.py", "pages/data.py", "pages/benchmarks.py", "pages/definitions.py",
]


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metric(at: AppTest, label: str) -> str:
    for metric in at.metric:
        if metric.label == label:
            return metric.value
    raise AssertionError(f"no KPI card {label!r}: {[m.label for m in at.metric]}")


def _sample_mrr_on(day: str) -> float:
    """Independent of the engine: sum the MRR of sample subscriptions running on `day` (trial days earn nothing)."""
    subs = pd.read_csv(ROOT / "sample_data" / "subscriptions.csv", parse_dates=["start_date", "end_date", "trial_end"])
    d = pd.Timestamp(day)
    running = (subs["start_date"] <= d) & (subs["end_date"].isna() | (subs["end_date"] > d))
    paying = subs["trial_end"].isna() | (subs["trial_end"] <= d)
    months = subs["interval"].map({"month": 1, "year": 12})
    mrr = subs["amount"] * subs["quantity"] / months
    return float(mrr[running & paying].sum())


def test_every_page_runs_on_sample_data() -> None:
    at = _app()
    assert len(at.metric) == 8
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert at.title, page


def test_overview_mrr_card_matches_the_sample_files() -> None:
    at = _app()
    expected = _sample_mrr_on("2026-10-31")
    shown = float(_metric(at, "MRR").replace("$", "").replace(",", ""))
    assert shown == pytest.approx(expected, abs=1.0)


def test_period_and_segment_change_the_numbers() -> None:
    at = _app()
    before = [m.value for m in at.metric]
    at.segmented_control(key="granularity").set_value("quarter").run()
    assert not at.exception
    assert at.session_state["view"].granularity == "quarter"
    at.selectbox(key="segment_attribute").set_value("plan").run()
    at.selectbox(key="segment_value").set_value("Starter").run()
    assert not at.exception
    assert at.session_state["view"].segment == ("plan", "Starter")
    assert [m.value for m in at.metric] != before


def _upload(at: AppTest) -> AppTest:
    at.switch_page("pages/data.py").run()
    uploaders = {u.label: u for u in at.file_uploader}
    uploaders["Subscriptions"].set_value(("subs.csv", (FIXTURES / "subscriptions.csv").read_bytes(), "text/csv"))
    uploaders["Customers (optional)"].set_value(("customers.csv", (FIXTURES / "customers.csv").read_bytes(), "text/csv"))
    at.run()
    at.button(key="load_files").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_uploaded_file_shows_hand_computed_numbers() -> None:
    at = _upload(_app())
    # Rejects: row 7 (customer x) has no readable start date; 6 rows read = 5 used + 1 rejected.
    assert any("1 rows could not be used" in w.value for w in at.warning)
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    # March 2024 (last complete month, as-of 2024-03-31): start {a:100, b:100, c:200}; end {a:100, c:200, e:50};
    # d never runs on a month end. S=3, E=3, N=1 (e), churned=1 (b).
    assert _metric(at, "CRR") == "66.7%"          # (3 - 1) / 3
    assert _metric(at, "Logo churn") == "33.3%"   # 1 / 3
    assert _metric(at, "NRR") == "75.0%"          # (400 + 0 - 0 - 100) / 400
    assert _metric(at, "GRR") == "75.0%"
    assert _metric(at, "MRR") == "$350"           # 100 + 200 + 50
    assert _metric(at, "ARPA") == "$117"          # 350 / 3
    assert _metric(at, "Quick ratio") == "0.50"   # 50 / 100
    at.switch_page("pages/revenue.py").run()
    assert not at.exception


def test_uploaded_file_with_segment() -> None:
    at = _upload(_app())
    at.switch_page("pages/overview.py").run()
    at.selectbox(key="segment_attribute").set_value("country").run()
    at.selectbox(key="segment_value").set_value("NL").run()
    assert not at.exception
    # NL = {a, c}: March start {a:100, c:200}, end the same -> NRR 100 %, MRR 300.
    assert _metric(at, "MRR") == "$300"
    assert _metric(at, "NRR") == "100.0%"


def test_query_string_restores_the_view() -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"period": "quarter", "from": "2025-Q1", "to": "2025-Q4", "segment": "plan", "value": "Pro"})
    at.run()
    assert not at.exception
    view = at.session_state["view"]
    assert (view.granularity, view.start, view.end, view.segment) == ("quarter", "2025-Q1", "2025-Q4", ("plan", "Pro"))


def test_bad_upload_shows_a_clear_error_not_a_traceback() -> None:
    at = _app()
    at.switch_page("pages/data.py").run()
    at.file_uploader[0].set_value(("bad.csv", b"foo,bar\n1,2\n", "text/csv")).run()
    assert not at.exception
    # Issue 21: the error is shown once, as soon as the file is read, and Load stays disabled until it is fixed.
    assert at.button(key="load_files").disabled
    assert [e.value.replace("\\", "").count("no column for 'customer_id'") for e in at.error] == [1]


def test_the_plans_list_in_the_subscriptions_upload_is_named_as_such() -> None:
    at = _app()
    at.switch_page("pages/data.py").run()
    plans = b"name,interval_count,interval_unit,external_id\nGold Monthly,1,month,gold_monthly\n"  # ChartMogul's template
    at.file_uploader[0].set_value(("plans.csv", plans, "text/csv")).run()
    assert not at.exception
    assert at.button(key="load_files").disabled
    errors = [e.value.replace("\\", "") for e in at.error]
    assert len(errors) == 1 and "looks like a list of plans or prices" in errors[0] and "no column" not in errors[0]


def test_cohorts_and_segments_pages_with_a_segment_split() -> None:
    at = _app()
    at.switch_page("pages/cohorts.py").run()
    at.selectbox(key="survival_by").set_value("plan").run()
    assert not at.exception
    medians = at.dataframe[-1].value
    assert len(medians) == 4  # one survival curve per plan: Starter, Growth, Pro, Enterprise
    at.segmented_control(key="cohort_basis").set_value("revenue").run()
    assert not at.exception
    at.switch_page("pages/segments.py").run()
    at.selectbox(key="compare_by").set_value("country").run()
    assert not at.exception
    assert at.session_state["compare_by"] == "country"


def test_engagement_and_feedback_pages_show_their_headline_numbers() -> None:
    at = _app()
    at.switch_page("pages/engagement.py").run()
    assert not at.exception
    labels = {m.label: m.value for m in at.metric}
    assert labels["Day-7 retention"].endswith("%") and labels["Week-8 retention"].endswith("%")
    events = pd.read_csv(ROOT / "sample_data" / "events.csv", usecols=["user_id"])
    assert labels["Active users"] == f"{events['user_id'].nunique():,}"
    at.switch_page("pages/feedback.py").run()
    assert not at.exception
    surveys = pd.read_csv(ROOT / "sample_data" / "surveys.csv", parse_dates=["date"])
    # The cards cover the sidebar's default range: the last 12 months, 2025-11-01 to 2026-10-31.
    surveys = surveys[(surveys["date"] >= "2025-11-01") & (surveys["date"] <= "2026-10-31")]
    assert {m.label: m.value for m in at.metric}["Answers"] == f"{len(surveys):,}"
    nps = surveys[surveys["kind"] == "nps"]["score"]
    expected = round(((nps >= 9).mean() - (nps <= 6).mean()) * 100)
    assert {m.label: m.value for m in at.metric}["NPS"] == str(expected)


def test_the_upload_preview_speaks_the_readers_language_and_never_says_none() -> None:
    """The Data page's preview of an upload: German headers and reasons, days as dates, no "None" for the cells a
    rejected row does not have (row 7, customer x: "not a date")."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.context = {"locale": "de-DE"}
    at.run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="upload_subscriptions").set_value(
        ("subs.csv", (FIXTURES / "subscriptions.csv").read_bytes(), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    previews = [d.value for d in at.dataframe if "Grund der Ablehnung" in d.value.columns]
    assert len(previews) == 1
    shown = previews[0].set_index("Zeile")
    assert shown.loc["2", "Kunde"] == "a" and shown.loc["2", "Startdatum"] == "2024-01-01"
    assert shown.loc["2", "MRR"] == "100" and shown.loc["2", "Grund der Ablehnung"] == ""
    assert shown.loc["7", "Grund der Ablehnung"] == "kein Datum"
    assert shown.loc["7", "Startdatum"] == "—" and shown.loc["7", "Kunde"] == ""
    assert "None" not in previews[0].to_string()


def test_the_upload_preview_keeps_two_columns_whose_headers_read_the_same() -> None:
    """A customers file with its id and a column named "Customer": both read as "Customer" in English, and the
    preview shows both (the second numbered), not the names in place of the ids."""
    from retention.i18n import ENGLISH
    from retention.importing import preview
    from ui.upload import _preview_text

    shown = preview(b"customer_id,signup_date,Customer,country\nc1,2024-01-05,Acme Ltd,NL\n", "customers.csv",
                    kind="customers")
    text = _preview_text(shown, ENGLISH)
    assert list(text.columns) == ["Row", "Customer", "Sign-up date", "Customer (2)", "country", "Reason it will be rejected"]
    assert text.iloc[0].tolist() == ["2", "c1", "2024-01-05", "Acme Ltd", "NL", ""]


def test_the_customer_page_names_the_apps_own_attributes_in_the_readers_language() -> None:
    """Customer C00001 of the sample: its sign-up date is a day (no 00:00:00), under the French label; a column of
    the founder's own file (country) keeps the file's name."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.context = {"locale": "fr-FR"}
    at.run()
    at.switch_page("pages/customer.py").run()
    assert not at.exception, [e.value for e in at.exception]
    table = next(d.value for d in at.dataframe if "Attribut" in d.value.columns)
    values = dict(zip(table["Attribut"], table["Valeur"], strict=True))
    assert values["Date d'inscription"] == "2023-11-02"
    assert values["country"] == "PL"
