"""AppTest: the Forecast page on the sample data shows the engine's numbers and follows its controls."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from retention import Query
from retention.forecasts.projection import LtvSettings, project
from ui.state import load_sample

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def _page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("pages/forecast.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metric(at: AppTest, label: str) -> str:
    for metric in at.metric:
        if metric.label == label:
            return metric.value
    raise AssertionError(f"no card {label!r}: {[m.label for m in at.metric]}")


def _money(text: str) -> float:
    return float(text.replace("$", "").replace(",", ""))


@pytest.fixture(scope="module")
def page() -> AppTest:
    return _page()


def test_cards_show_the_models_ltv_and_the_simple_one_beside_it(page):
    engine = load_sample().engine()
    monthly = engine.metrics(Query(granularity="month"))
    horizon = page.slider(key="forecast_horizon").value
    expected = project(engine.cohorts(Query(), basis="customers"), engine.cohorts(Query(), basis="revenue"), horizon,
                       LtvSettings(), float(monthly["arpa"].iloc[-1]))
    assert _money(_metric(page, "LTV of a new customer (model)")) == pytest.approx(expected.new_customer_ltv.value, abs=1)
    assert _money(_metric(page, "Simple LTV (ARPA × margin ÷ churn)")) == pytest.approx(monthly["ltv"].iloc[-1], abs=1)
    low, high = expected.new_customer_ltv.low, expected.new_customer_ltv.high
    assert any(f"90 % range: ${low:,.0f} to ${high:,.0f}" == c.value for c in page.caption)
    assert _metric(page, "Model parameters α · β") == f"{expected.pooled.alpha:.3f} · {expected.pooled.beta:.2f}"


def test_scenario_and_cohort_controls(page):
    page.number_input(key="forecast_churn_change").set_value(-1.0).run()
    assert not page.exception
    assumptions = next(m.value for m in page.markdown if m.value.startswith("**Assumptions.**"))
    assert "Scenario: churn rate -1.0 points" in assumptions
    page.selectbox(key="forecast_cohort").set_value("2024-06").run()
    assert not page.exception
    assert any("LTV per customer of cohort 2024" in m.value for m in page.markdown)


def test_quarters_and_years_run_and_say_when_there_is_no_number():
    at = _page()
    at.sidebar.segmented_control[0].set_value("year").run() if at.sidebar.segmented_control else None
    assert not at.exception, [e.value for e in at.exception]
    # Three yearly cohorts with 27 churns that do not pin the model down: no LTV, a reason instead.
    assert _metric(at, "LTV of a new customer (model)") == "—"
    assert any(c.value.startswith("not enough data") for c in at.caption)
