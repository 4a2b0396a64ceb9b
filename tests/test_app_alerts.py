"""AppTest of the Alerts and notes page on a saved dataset: add a rule and see it fire, add a note and
see it on the Overview's trend charts.

Dataset: tests/fixtures/digests/ (see tests/test_digests.py).  Its latest date is 2024-06-15, so the
last complete month is May 2024, where nobody churned: logo churn 0.0 %, below a limit of 10 %.
"""

from __future__ import annotations

import os
from pathlib import Path

from streamlit.testing.v1 import AppTest

from retention.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
FIXTURES = Path(__file__).parent / "fixtures" / "digests"


def _saved_session() -> AppTest:
    Workspace(Path(os.environ["RETENTION_WORKSPACE"])).import_files(
        "acme", subscriptions=FIXTURES / "subscriptions.csv", customers=FIXTURES / "customers.csv")
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["dataset"] = "acme"
    at.run()
    at.switch_page("pages/alerts.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_page_asks_for_a_saved_dataset_first() -> None:
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.switch_page("pages/alerts.py").run()
    assert not at.exception
    assert any("belong to a saved dataset" in i.value for i in at.info)


def _by_label(elements, label: str):
    return next(e for e in elements if e.label == label)


def test_add_a_rule_and_a_note() -> None:
    at = _saved_session()
    _by_label(at.selectbox, "Metric").set_value("logo_churn_rate")
    _by_label(at.selectbox, "Kind").set_value("threshold")
    _by_label(at.selectbox, "Direction (limit or change)").set_value("below")
    _by_label(at.number_input, "Limit, or size of the change (points for rates)").set_value(10.0)
    next(b for b in at.button if b.label == "Add rule").click().run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    assert table.iloc[0, 1].startswith("Logo churn rate below 10.0%")
    assert table.iloc[0, 2] == "2024-05: Logo churn rate is 0.0% (limit 10.0%)"

    _by_label(at.date_input, "Date").set_value(__import__("datetime").date(2024, 5, 10))  # inside the shown months
    _by_label(at.text_input, "Note").set_value("price <b>change</b>")
    next(b for b in at.button if b.label == "Add note").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "price <b>change</b>" in at.dataframe[1].value.iloc[:, 2].tolist()
    at.switch_page("pages/overview.py").run()
    charts = [c for c in at.get("plotly_chart")]
    texts = [a.get("text", "") for c in charts for a in __import__("json").loads(c.proto.spec).get("layout", {}).get("annotations", [])]
    assert any("price" in t and "<b>" not in t for t in texts), texts
