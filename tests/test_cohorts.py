"""Cohort triangles (METRICS.md §6), the average retention curve, the heatmap and the `cohorts` command.

Fixture tests/fixtures/cohorts/subscriptions.csv, read at month-end snapshots Jan–Jun 2024
(end_date is exclusive, a span counts on the last day d when start <= d < end):

    customer  spans                                        MRR at Jan Feb Mar Apr May Jun
    a         2024-01-01 → open, 100                            100 100 100 100 100 100
    b         2024-01-15 → 2024-03-01, 200                      200 200   0   0   0   0
    c         2024-01-10 → 2024-02-15, 50; 2024-04-01 → , 80     50   0   0  80  80  80  (reactivates)
    d         2024-02-01 → , 100; 2024-04-01 → 2024-05-01, 50     0 100 100 150 100 100
    e         2024-02-20 → 2024-06-15, 40                         0  40  40  40  40   0
    f         2024-03-31 → 2024-04-30, 60                         0   0  60   0   0   0
    g         free span (MRR 0) from Jan; 2024-05-10 → , 30       0   0   0   0  30  30  (free is not active)
    h         2024-06-10 → , 70                                   0   0   0   0   0  70

Monthly cohorts (first active month-end): Jan = {a, b, c}, Feb = {d, e}, Mar = {f}, Apr = none,
May = {g}, Jun = {h}.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from retention.cli import main
from retention.dataset import load_dataset
from retention.engine.cohorts import average_retention_curve, cohort_table
from retention.engine.metrics import Query, compute_metrics, segment_mask
from retention.figures.cohorts import average_retention, cohort_heatmap

FIXTURES = Path(__file__).parent / "fixtures" / "cohorts"
SUBS = str(FIXTURES / "subscriptions.csv")
CUSTOMERS = str(FIXTURES / "customers.csv")
AS_OF = "2024-06-30"


@pytest.fixture(scope="module")
def data():
    return load_dataset(SUBS, CUSTOMERS)


@pytest.fixture(scope="module")
def model(data):
    return data.model(AS_OF)


def _rows(table):
    return {r.label: (r.size, r.values) for r in table.rows}


def test_monthly_customer_cohorts_with_reactivation_and_ragged_edge(model):
    table = cohort_table(model, "month", "customers")
    # Jan {a,b,c}: Jan 3; Feb a,b = 2; Mar a = 1; Apr a + c (back) = 2; May 2; Jun 2  -> 6 cells (Jan..Jun)
    # Feb {d,e}: Feb..May 2; Jun d only = 1                                             -> 5 cells
    # Mar {f}: Mar 1, then 0 (a 0 cell inside the window is a real 0)                    -> 4 cells
    # Apr: nobody started, no row.  May {g}: 1, 1.  Jun {h}: 1 (one cell: the ragged edge)
    assert _rows(table) == {
        "2024-01": (3, [3, 2, 1, 2, 2, 2]),
        "2024-02": (2, [2, 2, 2, 2, 1]),
        "2024-03": (1, [1, 0, 0, 0]),
        "2024-05": (1, [1, 1]),
        "2024-06": (1, [1]),
    }
    jan = table.rows[0]
    # percent = cell / age-0 cell × 100: 2/3 = 66.67, 1/3 = 33.33
    assert jan.percent == pytest.approx([100, 200 / 3, 100 / 3, 200 / 3, 200 / 3, 200 / 3])
    assert [r.customers for r in table.rows] == [3, 2, 1, 1, 1]


def test_cohort_sizes_equal_new_customers(model):
    table = cohort_table(model, "month")
    metrics = compute_metrics(model, Query(granularity="month"))
    new = dict(zip(metrics["period"], metrics["customers_new"], strict=True))
    assert {r.label: r.size for r in table.rows} == {p: n for p, n in new.items() if n}


def test_monthly_revenue_cohorts_in_currency_units(model):
    table = cohort_table(model, "month", "revenue")
    # Jan {a,b,c}: Jan 100+200+50 = 350; Feb 100+200 = 300; Mar 100; Apr 100+80 = 180; May 180; Jun 180
    # Feb {d,e}: Feb 100+40 = 140; Mar 140; Apr 150+40 = 190 (d expands); May 100+40 = 140; Jun 100
    # Mar {f}: 60, 0, 0, 0.  May {g}: 30, 30.  Jun {h}: 70
    assert _rows(table) == {
        "2024-01": (350.0, [350.0, 300.0, 100.0, 180.0, 180.0, 180.0]),
        "2024-02": (140.0, [140.0, 140.0, 190.0, 140.0, 100.0]),
        "2024-03": (60.0, [60.0, 0.0, 0.0, 0.0]),
        "2024-05": (30.0, [30.0, 30.0]),
        "2024-06": (70.0, [70.0]),
    }
    feb = table.rows[1]
    # 190 / 140 × 100 = 135.714…: expansion lifts revenue retention above 100 %
    assert feb.percent == pytest.approx([100, 100, 190 / 140 * 100, 100, 100 / 140 * 100])
    assert table.rows[0].customers == 3  # the revenue basis still knows how many customers a cohort has


def test_quarter_cohorts_use_quarter_end_snapshots(model):
    # Q1 snapshot Mar 31: active a, d, e, f (b left 03-01, c is away)  -> cohort Q1 = {a, d, e, f}
    # Q2 snapshot Jun 30: active a, c, d, g, h; of Q1's: a, d          -> Q1 cells [4, 2]
    # c was never active at a quarter-end before Jun 30, so its cohort is Q2 = {c, g, h}
    table = cohort_table(model, "quarter", "customers")
    assert _rows(table) == {"2024-Q1": (4, [4, 2]), "2024-Q2": (3, [3])}
    revenue = cohort_table(model, "quarter", "revenue")
    # Q1: a 100 + d 100 + e 40 + f 60 = 300; at Q2: a 100 + d 100 = 200.  Q2: c 80 + g 30 + h 70 = 180
    assert _rows(revenue) == {"2024-Q1": (300.0, [300.0, 200.0]), "2024-Q2": (180.0, [180.0])}
    assert revenue.rows[0].percent == pytest.approx([100, 200 / 300 * 100])


def test_no_complete_year_gives_no_rows(model):
    assert cohort_table(model, "year").rows == []  # as of 2024-06-30, 2024 is not complete


def test_window_picks_cohorts_and_ends_the_triangle(model):
    table = cohort_table(model, "month", start="2024-02", end="2024-04")
    # Jan is before the window (its customers, including c coming back in Apr, stay out);
    # cells stop at Apr: Feb [Feb, Mar, Apr] = [2, 2, 2], Mar [Mar, Apr] = [1, 0]; Apr has no one new
    assert _rows(table) == {"2024-02": (2, [2, 2, 2]), "2024-03": (1, [1, 0])}


def test_default_as_of_drops_the_incomplete_month(data):
    # Latest date in the data is 2024-06-15 (e's end), so June is not complete: May is the edge
    table = cohort_table(data.model(), "month")
    assert _rows(table)["2024-01"] == (3, [3, 2, 1, 2, 2])
    assert "2024-06" not in _rows(table)


def test_rows_mask_limits_customers(data, model):
    rows = segment_mask(model, data.customers_table, ("plan", "Team"))
    # Team = {c, f, g}: Jan {c}: 1, 0, 0, 1, 1, 1; Mar {f}: 1, 0, 0, 0; May {g}: 1, 1
    assert _rows(cohort_table(model, "month", rows=rows)) == {
        "2024-01": (1, [1, 0, 0, 1, 1, 1]),
        "2024-03": (1, [1, 0, 0, 0]),
        "2024-05": (1, [1, 1]),
    }


def test_bad_basis_and_period_are_value_errors(model):
    with pytest.raises(ValueError, match="basis"):
        cohort_table(model, "month", "logos")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="period"):
        cohort_table(model, "week")  # type: ignore[arg-type]


def test_average_curve_is_size_weighted(model):
    curve = average_retention_curve(cohort_table(model, "month"))
    # cohorts (size: cells): Jan (3: 3 2 1 2 2 2), Feb (2: 2 2 2 2 1), Mar (1: 1 0 0 0), May (1: 1 1), Jun (1: 1)
    # age 0: 8/8; age 1: (2+2+0+1)/(3+2+1+1) = 5/7; age 2: (1+2+0)/(3+2+1) = 3/6;
    # age 3: (2+2+0)/6 = 4/6; age 4: (2+1)/(3+2) = 3/5; age 5: 2/3
    assert curve["percent"].tolist() == pytest.approx([100, 500 / 7, 50, 400 / 6, 60, 200 / 3])
    assert curve["cohorts"].tolist() == [5, 4, 3, 3, 2, 1]
    assert curve["size"].tolist() == [8, 7, 6, 6, 5, 3]


def test_average_curve_of_empty_table(model):
    curve = average_retention_curve(cohort_table(model, "year"))
    assert curve.empty and list(curve.columns) == ["age", "percent", "cohorts", "size"]


def test_heatmap_shows_sizes_ragged_cells_and_hover(model):
    table = cohort_table(model, "month")
    fig = cohort_heatmap(table, mode="percent")
    heat = fig.data[0]
    assert list(heat.y) == ["2024-01 (n=3)", "2024-02 (n=2)", "2024-03 (n=1)", "2024-05 (n=1)", "2024-06 (n=1)"]
    z = np.array(heat.z, dtype=float)
    assert z.shape == (5, 6)
    assert np.isnan(z[4, 1:]).all() and z[0, 2] == pytest.approx(100 / 3)  # ragged, not zero-filled
    assert "Customers" in heat.hovertemplate and "Retained" in heat.hovertemplate
    assert heat.customdata[0][1][1] == 2  # count behind the percentage
    counts = cohort_heatmap(cohort_table(model, "month", "revenue"), mode="count", currency="EUR")
    assert np.array(counts.data[0].z, dtype=float)[0, 0] == 350.0
    assert "EUR" in counts.data[0].hovertemplate


def test_heatmap_uses_translator(model):
    seen = []

    def tr(message: str, /, **params: object) -> str:
        seen.append(message)
        return message.format(**params) if params else message

    cohort_heatmap(cohort_table(model, "quarter"), tr=tr)  # type: ignore[arg-type]
    assert "Customer retention by cohort" in seen and "{cohort} (n={n})" in seen


def test_average_retention_figure(model):
    table = cohort_table(model, "month")
    fig = average_retention(average_retention_curve(table), table)
    assert list(fig.data[0].y) == pytest.approx([100, 500 / 7, 50, 400 / 6, 60, 200 / 3])


def test_empty_heatmap_renders(model):
    fig = cohort_heatmap(cohort_table(model, "year"))
    assert len(fig.data) == 1


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_json_shape(capsys):
    code, out, _ = _run(capsys, "cohorts", "--subscriptions", SUBS, "--as-of", AS_OF, "--period", "quarter")
    assert code == 0
    payload = json.loads(out)
    assert payload == {
        "rows": [
            {"cohort": "2024-Q1", "size": 4, "values": [4, 2], "percent": [100.0, 50.0]},
            {"cohort": "2024-Q2", "size": 3, "values": [3], "percent": [100.0]},
        ]
    }


def test_cli_revenue_window_and_segment(capsys):
    code, out, _ = _run(
        capsys, "cohorts", "--subscriptions", SUBS, "--customers", CUSTOMERS, "--as-of", AS_OF,
        "--basis", "revenue", "--from", "2024-02", "--to", "2024-04", "--segment", "plan=Pro", "--format", "json",
    )
    assert code == 0
    # Pro = {a, b, d}; in the window only d starts (Feb): 100, 100, 150 (Apr expansion)
    assert json.loads(out)["rows"] == [{"cohort": "2024-02", "size": 100.0, "values": [100.0, 100.0, 150.0],
                                        "percent": [100.0, 100.0, 150.0]}]


def test_cli_csv_is_one_line_per_cell(capsys):
    code, out, _ = _run(capsys, "cohorts", "--subscriptions", SUBS, "--as-of", AS_OF, "--format", "csv")
    assert code == 0
    frame = pd.read_csv(__import__("io").StringIO(out))
    assert list(frame.columns) == ["cohort", "size", "customers", "age", "value", "percent"]
    assert len(frame) == 6 + 5 + 4 + 2 + 1  # cells of the monthly triangle above


def test_cli_table_and_errors(capsys):
    code, out, _ = _run(capsys, "cohorts", "--subscriptions", SUBS, "--as-of", AS_OF, "--format", "table")
    assert code == 0 and "2024-01" in out and "—" in out  # missing cells are shown as a dash
    code, _, err = _run(capsys, "cohorts", "--subscriptions", SUBS, "--from", "2024-13")
    assert code == 2 and err.startswith("error:")
    code, _, err = _run(capsys, "cohorts", "--subscriptions", SUBS, "--segment", "plan=Pro")
    assert code == 2 and "--customers" in err
    code, _, err = _run(capsys, "cohorts", "--subscriptions", SUBS, "--customers", CUSTOMERS, "--segment", "tier=Pro")
    assert code == 2 and "no column 'tier'" in err
