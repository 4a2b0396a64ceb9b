"""AppTest: the Revenue page's MRR movements by plan on an upload (issue 18).

tests/fixtures/plan_movements/subscriptions.csv ends on 2024-03-10, so the complete months are 2024-01
and 2024-02 (see tests/test_plan_movements.py for the fixture).  Over the range:
Basic: new 300 (u, w, z in Jan) + 80 (x in Feb), churned 100 (w), ends at 280;
Pro: new 620 (v, y, r), churned 120 (r), ends at 500; Analytics: moved in 50 (v's add-on), ends at 50.
From before January to the end of February everyone paying comes from outside: 3 to Basic, 2 to Pro.
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
FIXTURE = Path(__file__).parent / "fixtures" / "plan_movements" / "subscriptions.csv"


def _table(at: AppTest, *headers: str):
    return next(d.value for d in at.dataframe if set(headers) <= set(d.value.columns))


def test_revenue_page_shows_movements_by_plan() -> None:
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.switch_page("pages/data.py").run()
    uploaders = {u.label: u for u in at.file_uploader}
    uploaders["Subscriptions"].set_value(("subs.csv", FIXTURE.read_bytes(), "text/csv"))
    at.run()
    at.button(key="load_files").click().run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page("pages/revenue.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(h.value == "MRR movements by plan" for h in at.header)
    totals = _table(at, "Plan", "Moved in (USD)", "Moved out (USD)").set_index("Plan")
    assert list(totals.index) == ["Pro", "Basic", "Analytics"]
    assert totals.loc["Basic", "New (USD)"] == 380 and totals.loc["Basic", "Churned (USD)"] == 100
    assert totals.loc["Pro", "New (USD)"] == 620 and totals.loc["Pro", "Churned (USD)"] == 120
    assert totals.loc["Analytics", "Moved in (USD)"] == 50
    flows = _table(at, "Plan at the start", "Plan at the end")
    assert flows.values.tolist()[:2] == [["Outside (new, back or churned)", "Basic", 3, 0.0, 280.0],
                                         ["Outside (new, back or churned)", "Pro", 2, 0.0, 550.0]]
    charts = at.get("plotly_chart")
    assert len(charts) >= 6  # the page's four charts, then movements by plan and the plan-to-plan flow
