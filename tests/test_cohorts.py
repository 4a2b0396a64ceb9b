"""Cohort triangles (METRICS.md §6), the average retention curve, the heatmap and the `cohorts` command.

The fixture tests/fixtures/cohorts/ and its month-end MRR table are worked out in
tests/contract/test_cohorts.py, where the triangles are checked against every engine.
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
    assert [f["rows_used"] for f in payload.pop("files")] == [len(pd.read_csv(SUBS))]  # issue 14: how the file was read
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
