"""`python -m retention customers`: the lists behind a number from the command line (issue 18).

Members are worked out by hand in tests/contract/test_customers.py's docstring (same fixtures).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

from retention.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
DATA = ["--subscriptions", str(FIXTURES / "metrics" / "subscriptions.csv"),
        "--customers", str(FIXTURES / "drilldown" / "customers.csv")]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["customers", *DATA, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_churned_in_a_month_as_json(capsys):
    code, out, err = run(capsys, "--period", "2019-03", "--movement", "churned", "--format", "json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["period"] == "2019-03" and payload["movement"] == "churned"
    assert payload["customers"] == [{"customer_id": "F", "customer_name": "Fjord SAS", "mrr_before": 10.0,
                                     "mrr_after": 0.0, "movement": "churned"}]


def test_all_movements_of_a_month_as_csv_neutralise_formula_names(capsys):
    code, out, err = run(capsys, "--period", "2019-04", "--format", "csv")
    assert code == 0, err
    frame = pd.read_csv(io.StringIO(out), keep_default_na=False)
    # April: D's trial ends (new, 60), B's second subscription ends (contraction 80 -> 50).
    assert list(frame["customer_id"]) == ["D", "B"]
    assert list(frame["movement"]) == ["new", "contraction"]
    assert frame["customer_name"].iloc[0] == "'=HYPERLINK(\"http://x\")"


def test_cohort_cell_by_quarter(capsys):
    code, out, err = run(capsys, "--cohort", "2019-Q1", "--age", "1", "--as-of", "2020-12-31", "--format", "json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["period"] == "2019-Q2" and payload["cohort"] == "2019-Q1" and payload["age"] == 1
    assert [(c["customer_id"], c["paying"]) for c in payload["customers"]] == [
        ("A", True), ("I", True), ("B", True), ("C", True), ("G", False)]


def test_segment_members(capsys):
    code, out, err = run(capsys, "--segment", "plan=Pro", "--period", "2019-05", "--format", "csv")
    assert code == 0, err
    assert list(pd.read_csv(io.StringIO(out))["customer_id"]) == ["A", "I", "G", "C"]


def test_one_customer(capsys):
    code, out, err = run(capsys, "--customer", "C", "--format", "json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["customer_name"] == "Cobalt SAS" and payload["attributes"]["plan"] == "Pro"
    assert [(m["period"], m["movement"]) for m in payload["movements"]] == [
        ("2019-02", "new"), ("2019-05", "churned"), ("2019-06", "reactivation")]
    assert [s["subscription_id"] for s in payload["subscriptions"]] == ["c1", "c2"]
    code, out, err = run(capsys, "--customer", "C")
    assert code == 0 and out.startswith("C · Cobalt SAS")


@pytest.mark.parametrize(("argv", "message"), [
    ((), "say which customers"),
    (("--cohort", "2019-01"), "--cohort and --age go together"),
    (("--period", "2019-13"), "cannot read period"),
    (("--period", "July"), "write a period as 2024-07"),
    (("--cohort", "2020-12", "--age", "1", "--as-of", "2020-12-31"), "no age 1"),
    (("--customer", "Z"), "no customer 'Z'"),
    (("--segment", "tier=Gold", "--period", "2019-05"), "no column 'tier'"),
])
def test_clear_errors(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and message in err and "Traceback" not in err
