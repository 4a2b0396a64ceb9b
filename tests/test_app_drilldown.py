"""AppTest: a click on a chart lists the customers behind it, and a row leads to the customer view (issue 18).

AppTest has no API for Plotly selections, so `select` sends the browser's own selection message (the
widget state a click produces: `{"selection": {"points": [...]}}`, JSON-encoded as the frontend does)
for the chart's element id.  Expected members are computed from the sample CSV files here, not by the engine.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def select(at: AppTest, key: str, value: dict) -> None:
    """Rerun as if the user had clicked in the element with user key `key` (a chart or a table)."""
    element = next(e for e in at.main if getattr(getattr(e, "proto", None), "id", "").endswith(f"-{key}"))
    states = at._tree.get_widget_states()
    widget = states.widgets.add()
    widget.id = element.proto.id
    widget.json_value = json.dumps(json.dumps(value))
    at._run(states)
    assert not at.exception, [e.value for e in at.exception]


def points(curve: int, index: int, **extra) -> dict:
    point = {"curve_number": curve, "point_index": index, "point_number": index, **extra}
    return {"selection": {"points": [point], "point_indices": [index], "box": [], "lasso": []}}


def _sample_mrr(day: str) -> pd.Series:
    """Each sample customer's MRR on `day`, from the raw files (trial days earn nothing)."""
    subs = pd.read_csv(ROOT / "sample_data" / "subscriptions.csv", parse_dates=["start_date", "end_date", "trial_end"])
    d = pd.Timestamp(day)
    running = (subs["start_date"] <= d) & (subs["end_date"].isna() | (subs["end_date"] > d))
    paying = subs["trial_end"].isna() | (subs["trial_end"] <= d)
    mrr = subs["amount"] * subs["quantity"] / subs["interval"].map({"month": 1, "year": 12})
    return mrr[running & paying].groupby(subs["customer_id"][running & paying]).sum()


def test_clicking_the_churned_bar_lists_the_churned_customers_with_names() -> None:
    at = _app()
    periods = list(at.dataframe[0].value.iloc[:, 0])  # the overview's metrics table: one row per period
    last = periods[-1]
    select(at, "customers", points(2, len(periods) - 1))  # trace 2 = churned
    assert any(s.value.replace("\\", "") == f"Churned in {last}" for s in at.subheader)
    listed = at.dataframe[0].value
    before = _sample_mrr((pd.Period(last, "M") - 1).end_time.normalize().strftime("%Y-%m-%d"))
    after = _sample_mrr(pd.Period(last, "M").end_time.normalize().strftime("%Y-%m-%d"))
    churned = sorted(set(before[before > 0].index) - set(after[after > 0].index))
    assert sorted(listed["Customer"]) == churned and churned
    names = pd.read_csv(ROOT / "sample_data" / "customers.csv").set_index("customer_id")["customer_name"]
    assert list(listed["Customer name"]) == [names[c] for c in listed["Customer"]]
    assert listed["MRR before (USD)"].sum() == pytest.approx(before[churned].sum(), abs=0.01)


def test_a_row_opens_the_customer_view() -> None:
    at = _app()
    n = len(at.dataframe[0].value)
    select(at, "customers", points(2, n - 1))
    first = at.dataframe[0].value.iloc[0]
    select(at, "overview_drill_rows", {"selection": {"rows": [0], "columns": [], "cells": []}})
    button = at.button(key="overview_drill_open")
    assert first["Customer"] in button.label
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Customer"
    assert at.header[0].value.replace("\\", "") == f"{first['Customer name']} · {first['Customer']}"


def test_clicking_a_cohort_cell_lists_its_members() -> None:
    at = _app()
    at.switch_page("pages/cohorts.py").run()
    cohort = "2025-06"
    select(at, "heatmap", points(1, 0, x="3", customdata=[cohort, 0, 0]))
    heading = next(s.value.replace("\\", "") for s in at.subheader if s.value.replace("\\", "").startswith("Cohort"))
    assert heading == f"Cohort {cohort} at age 3 (2025-09)"
    listed = at.dataframe[0].value
    # Members: first paying month-end in June 2025 (independent of the engine).
    months = pd.period_range("2023-11", "2025-09", freq="M")
    first_paid = {}
    for month in months:
        for customer in _sample_mrr(month.end_time.normalize().strftime("%Y-%m-%d")).pipe(lambda s: s[s > 0]).index:
            first_paid.setdefault(customer, str(month))
    members = sorted(c for c, m in first_paid.items() if m == cohort)
    assert sorted(listed["Customer"]) == members
    at_age = _sample_mrr("2025-09-30")
    assert int(listed["Paying at the end"].sum()) == sum(1 for c in members if at_age.get(c, 0) > 0)


def test_customer_search_by_name() -> None:
    at = _app()
    at.switch_page("pages/customer.py").run()
    at.text_input(key="customer_search").input("maplebay").run()
    assert not at.exception
    assert at.main.selectbox[0].options == ["Maplebay Software GmbH (C00246)"]
    assert at.header[0].value.replace("\\", "") == "Maplebay Software GmbH · C00246"
