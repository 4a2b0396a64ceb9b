"""`python -m retention forecast` end to end on a generated subscriptions file.

The file is Fader & Hardie's (2007) "Regular" cohort turned into subscriptions: 1,000 customers
start on 2010-01-01 at 10 a month; of them 369, 163, 86, 56, 37, 27 and 21 stop paying in the
middle of years 2011…2017, 241 are still paying at the end of 2017.  At `--period year` the
cohort triangle is the paper's survival series, so the CLI must reproduce the paper's
α̂ = 0.704, β̂ = 1.182.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from retention.cli import main

SURVIVORS = [1000, 631, 468, 382, 326, 289, 262, 241]


@pytest.fixture(scope="module")
def regular(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = []
    n = 0
    for age in range(1, len(SURVIVORS)):
        for _ in range(SURVIVORS[age - 1] - SURVIVORS[age]):
            rows.append((f"c{n:04d}", "2010-01-01", f"{2010 + age}-06-01", 10))
            n += 1
    for _ in range(SURVIVORS[-1]):
        rows.append((f"c{n:04d}", "2010-01-01", "", 10))
        n += 1
    path = tmp_path_factory.mktemp("forecast") / "subscriptions.csv"
    pd.DataFrame(rows, columns=["customer_id", "start_date", "end_date", "mrr"]).to_csv(path, index=False)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main(["forecast", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_reproduces_the_paper_and_has_the_promised_shape(capsys, regular):
    code, out, err = run(capsys, "--subscriptions", regular, "--period", "year", "--as-of", "2017-12-31",
                         "--horizon", "12", "--bootstrap", "100", "--gross-margin", "50")
    assert code == 0, err
    assert "NaN" not in out and "Infinity" not in out
    payload = json.loads(out)
    assert {"cohorts", "mrr"} <= set(payload)
    (cohort,) = payload["cohorts"]
    assert cohort["cohort"] == "2010" and cohort["size"] == 1000
    assert round(cohort["alpha"], 3) == 0.704 and round(cohort["beta"], 3) == 1.182
    assert cohort["model"] == "cohort"
    assert cohort["observed"] == pytest.approx([s / 10 for s in SURVIVORS])
    projected = cohort["projected"]
    assert [p["age"] for p in projected] == list(range(7, 13))
    assert set(projected[0]) == {"age", "survival", "low", "high"}
    assert projected[0]["survival"] == pytest.approx(24.1)
    assert all(p["low"] <= p["survival"] <= p["high"] for p in projected)
    # LTV: realised Σ customers × 10 MRR × 12 months × 50 % ÷ 1,000 = 233.4, plus the projection.
    assert cohort["ltv_realised"] == pytest.approx(sum(SURVIVORS) * 10 * 12 * 0.5 / 1000)
    assert cohort["ltv"] > cohort["ltv_realised"]
    # No MRR movement in the last three months: MRR stays at 241 × 10.
    assert len(payload["mrr"]) == 12
    assert payload["mrr"][0]["period"] == "2018-01"
    assert all(row["mrr_end"] == pytest.approx(2410) for row in payload["mrr"])
    assert payload["mrr_assumptions"]["months_used"] == ["2017-10", "2017-11", "2017-12"]
    # No churn in the last six months: the simple ARPA ÷ churn figure has nothing to divide by.
    assert payload["simple_ltv"]["value"] is None
    assert payload["committed"][0]["mrr_end"] == pytest.approx(2410)


def test_cohort_filter_csv_and_table(capsys, regular):
    code, out, err = run(capsys, "--subscriptions", regular, "--period", "year", "--as-of", "2017-12-31",
                         "--horizon", "10", "--bootstrap", "0", "--format", "csv", "--cohort", "2010")
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0] == "cohort,age,kind,survival,low,high,alpha,beta,model,ltv"
    assert len(lines) == 1 + 8 + 3  # ages 0–7 observed, 8–10 projected
    code, out, err = run(capsys, "--subscriptions", regular, "--period", "year", "--as-of", "2017-12-31",
                         "--bootstrap", "0", "--format", "table")
    assert code == 0, err
    assert "2010" in out and "mrr_end" in out


def test_errors_are_one_line(capsys, regular):
    code, out, err = run(capsys, "--subscriptions", regular, "--period", "year", "--cohort", "1999")
    assert code == 2 and err.startswith("error: --cohort '1999'") and err.count("\n") == 1
    code, out, err = run(capsys, "--subscriptions", regular, "--months", "48")
    assert code == 2 and "--months" in err


def test_segment_uses_the_engines_cohorts(capsys):
    from retention import Query, load_dataset

    root = Path(__file__).resolve().parent.parent / "sample_data"
    subs, customers = root / "subscriptions.csv", root / "customers.csv"
    code, out, err = run(capsys, "--subscriptions", subs, "--customers", customers, "--segment", "plan=Pro",
                         "--bootstrap", "0", "--months", "3")
    assert code == 0, err
    payload = json.loads(out)
    expected = load_dataset(subs, customers).engine().cohorts(Query(segment=("plan", "Pro")), basis="customers")
    assert [(c["cohort"], c["size"]) for c in payload["cohorts"]] == [(r.label, r.customers) for r in expected.rows]
    assert [c["observed"] for c in payload["cohorts"]] == [pytest.approx(r.percent) for r in expected.rows]
