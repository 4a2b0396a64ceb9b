"""Benchmarks file, selection by ARPA, explicit period conversions, targets and the chart lines."""

from __future__ import annotations

import math
from pathlib import Path

import plotly.graph_objects as go
import pytest

from retention.benchmarks import (
    BENCHMARKS,
    BENCHMARKS_FILE,
    BenchmarkFileError,
    benchmarks_for,
    benchmarks_frame,
    load_benchmarks,
    parse_benchmarks,
)
from retention.benchmarks.catalog import COLUMNS
from retention.figures.benchmark_lines import add_benchmarks
from retention.targets import Target, TargetFileError, make_target, parse_targets, targets_for, targets_to_csv

FIXTURES = Path(__file__).parent / "fixtures" / "benchmarks"
HEADER = ",".join(COLUMNS)


def row(**cells: str) -> str:
    base = {
        "id": "x", "metric": "nrr", "value": "100", "unit": "percent", "period_basis": "year", "statistic": "median",
        "segment": "all", "label": "L", "source": "S", "year": "2023", "link": "https://example.org/",
    }
    base.update(cells)
    return ",".join(base.get(c, "") for c in COLUMNS)


# --- the shipped file ---------------------------------------------------------------------------


def test_shipped_file_validates_and_cites_every_row():
    rows = load_benchmarks(BENCHMARKS_FILE)
    assert rows == BENCHMARKS and len(rows) >= 10
    assert all(b.source and b.label and b.unit == "percent" for b in rows)
    assert all(b.link == "" or b.link.startswith("https://") for b in rows)
    ids = {b.id: b for b in rows}
    # METRICS.md §10 facts, exactly.
    assert ids["saas_capital_nrr_median"].value == 102 and ids["saas_capital_nrr_median"].year == 2023
    assert ids["saas_capital_grr_median"].value == 92
    assert ids["chartmogul_churn_arpa_under_10"].value == 6.8 and ids["chartmogul_churn_arpa_under_10"].period_basis == "month"
    assert ids["chartmogul_churn_arpa_over_500"].value == 1.9
    assert (ids["recurly_churn_b2b"].value, ids["recurly_churn_b2c"].value) == (4.91, 6.77)
    assert ids["amplitude_day7_top_quartile"].period_basis == "day-7"
    assert ids["week8_retention_good"].period_basis == "week-8"


def test_frame_lists_every_benchmark_with_citation():
    frame = benchmarks_frame()
    assert len(frame) == len(BENCHMARKS)
    assert frame["value"].dtype == float
    assert frame.loc[frame["id"] == "keybanc_gross_dollar_churn", "citation"].item() == "KeyBanc Capital Markets (KBCM) SaaS survey, 2016"


@pytest.mark.parametrize(
    ("cells", "column", "fragment"),
    [
        ({"metric": "mrr_magic"}, "metric", "unknown metric"),
        ({"value": "abc"}, "value", "not a number"),
        ({"value": ""}, "value", "must not be empty"),
        ({"unit": "ratio"}, "unit", "not one of"),
        ({"period_basis": "fortnight"}, "period_basis", "not one of"),
        ({"period_basis": "day-7"}, "period_basis", "fixed window"),
        ({"metric": "day_7_retention", "period_basis": "month"}, "period_basis", "needs the period basis day-7"),
        ({"low": "90"}, "high", "both low and high"),
        ({"low": "101", "high": "110"}, "value", "between low and high"),
        ({"arpa_min": "500", "arpa_max": "10"}, "arpa_max", "below"),
        ({"year": "23"}, "year", "not a year"),
        ({"link": "http://example.org"}, "link", "https://"),
    ],
)
def test_malformed_row_names_row_and_column(cells, column, fragment):
    text = "\n".join([HEADER, row(id="ok"), row(**cells)])
    with pytest.raises(BenchmarkFileError) as caught:
        parse_benchmarks(text, "b.csv")
    assert caught.value.row == 3 and caught.value.column == column
    assert fragment in str(caught.value) and str(caught.value).startswith("b.csv, row 3, column " + column)


def test_missing_column_and_duplicate_id():
    with pytest.raises(BenchmarkFileError, match="missing columns: link"):
        parse_benchmarks(HEADER.removesuffix(",link") + "\n")
    with pytest.raises(BenchmarkFileError, match="duplicate id"):
        parse_benchmarks("\n".join([HEADER, row(), row()]))


# --- selection by ARPA --------------------------------------------------------------------------


def churn_values(arpa: float | None) -> dict[str, float]:
    return {line.id: line.value for line in benchmarks_for("logo_churn_rate", "month", arpa)}


@pytest.mark.parametrize(
    ("arpa", "chartmogul"),
    [
        (0.0, 6.8), (9.99, 6.8),        # band [0, 10): ARPA under $10
        (10.0, None), (250.0, None),     # between the published ends: no invented number
        (499.99, None), (500.0, 1.9),    # band [500, ∞): ARPA over $500
        (20_000.0, 1.9), (None, None),   # unknown ARPA: no banded line
    ],
)
def test_chartmogul_band_follows_arpa(arpa, chartmogul):
    values = churn_values(arpa)
    found = {k: v for k, v in values.items() if k.startswith("chartmogul")}
    assert list(found.values()) == ([chartmogul] if chartmogul is not None else [])
    # Recurly's averages are not banded: always there.
    assert values["recurly_churn_b2b"] == 4.91 and values["recurly_churn_b2c"] == 6.77


@pytest.mark.parametrize(
    ("arpa", "expected"),
    [
        (None, 102.0),     # no ARPA: the overall SaaS Capital median
        (500.0, 100.0),    # ACV = 12 × 500 = 6,000 < 12,000
        (2_000.0, 102.0),  # ACV = 24,000: between published bands, the overall median stays
        (25_000.0, 110.0), # ACV = 300,000 > 250,000
    ],
)
def test_saas_capital_nrr_band_replaces_overall_median(arpa, expected):
    lines = [line for line in benchmarks_for("nrr", "year", arpa) if line.id.startswith("saas_capital")]
    assert [line.value for line in lines] == [expected]
    assert all(line.formula is None for line in lines)


# --- explicit conversions -------------------------------------------------------------------------


def test_monthly_churn_on_yearly_chart_is_converted_with_formula_in_label():
    (line,) = [x for x in benchmarks_for("logo_churn_rate", "year", arpa=5) if x.id.startswith("chartmogul")]
    # 1 − (1 − 0.068)^12 = 1 − 0.932^12 = 1 − 0.42953 = 0.57047 → 57.0 %
    assert line.value == pytest.approx(100 * (1 - 0.932**12))
    assert round(line.value, 1) == 57.0
    assert line.source_value == 6.8 and line.source_basis == "month" and line.basis == "year"
    assert line.formula == "annual = 1 − (1 − monthly)^12"
    assert "6.8 % a month → 57.0 % a year" in line.label and line.formula in line.label


def test_annual_retention_on_monthly_and_quarterly_charts():
    (monthly,) = [x for x in benchmarks_for("grr", "month") if x.id == "saas_capital_grr_median"]
    # 0.92^(1/12) = exp(ln 0.92 / 12) = exp(−0.0069484) = 0.993076 → 99.31 %
    assert monthly.value == pytest.approx(100 * math.exp(math.log(0.92) / 12))
    assert monthly.formula == "monthly = annual^(1/12)"
    (quarterly,) = [x for x in benchmarks_for("grr", "quarter") if x.id == "saas_capital_grr_median"]
    # 0.92^(3/12) = 0.92^0.25 = 0.979375 → 97.94 %
    assert quarterly.value == pytest.approx(100 * 0.92**0.25)
    assert quarterly.formula == "quarterly = annual^(1/4)"


def test_no_conversion_when_disabled_and_engagement_windows_are_fixed():
    assert [x.id for x in benchmarks_for("logo_churn_rate", "year", arpa=5, convert=False)] == []
    assert {x.id for x in benchmarks_for("logo_churn_rate", "month", arpa=5, convert=False)} >= {"chartmogul_churn_arpa_under_10"}
    (day7,) = benchmarks_for("day_7_retention", "month")
    assert (day7.value, day7.basis, day7.formula) == (7.0, "day-7", None)
    (week8,) = benchmarks_for("week_8_retention", None)
    assert week8.value == 35.0
    assert benchmarks_for("arpa", "month") == []


# --- targets --------------------------------------------------------------------------------------


def test_targets_csv_round_trip_and_lines():
    targets = parse_targets((FIXTURES / "targets.csv").read_bytes())
    assert targets[0] == Target("logo_churn_rate", 2.0, "month", "Churn under 2 % a month")
    assert targets[1].display_label() == "Target: Net revenue retention (NRR)"
    hostile = [*targets, Target("crr", 95.0, "year", "=cmd|' /C calc'!A0")]
    data = targets_to_csv(hostile)
    assert b"'=cmd" in data
    assert parse_targets(data) == hostile
    (line,) = targets_for(targets, "nrr", "month")
    # 1.10^(1/12) = exp(ln 1.1 / 12) = exp(0.0079425) = 1.007974 → 100.80 %
    assert line.kind == "target" and line.value == pytest.approx(100 * 1.1 ** (1 / 12))
    assert targets_for(targets, "logo_churn_rate", "month")[0].value == 2.0


@pytest.mark.parametrize(
    ("text", "row", "column"),
    [
        ("metric,value,period_basis\nnrr,abc,year\n", 2, "value"),
        ("metric,value,period_basis\nnrr,100,year\nfoo,1,month\n", 3, "metric"),
        ("metric,value,period_basis\ncrr,90,decade\n", 2, "period_basis"),
        ("metric,value\nnrr,100\n", 1, None),
    ],
)
def test_bad_targets_name_row_and_column(text, row, column):
    with pytest.raises(TargetFileError) as caught:
        parse_targets(text)
    assert (caught.value.row, caught.value.column) == (row, column)


def test_make_target_accepts_percent_sign():
    assert make_target("crr", "92.5 %", "Year").value == 92.5


# --- chart lines ------------------------------------------------------------------------------------


def test_add_benchmarks_draws_lines_hover_and_targets():
    fig = go.Figure(go.Scatter(x=["2024-01", "2024-02", "2024-03"], y=[3.0, 2.5, 2.0]))
    lines = benchmarks_for("logo_churn_rate", "month", arpa=5)
    target_lines = targets_for([Target("logo_churn_rate", 2.0, "month", "<b>goal</b>")], "logo_churn_rate", "month")
    out = add_benchmarks(fig, lines, targets=target_lines)
    assert out is fig
    hover = [t for t in fig.data if t.meta and "benchmark" in t.meta]
    assert len(hover) == len(lines) + 1
    chartmogul = next(t for t in hover if t.meta["benchmark"] == "chartmogul_churn_arpa_under_10")
    assert list(chartmogul.x) == ["2024-01", "2024-02", "2024-03"] and set(chartmogul.y) == {6.8}
    assert chartmogul.marker.opacity == 0 and "ChartMogul SaaS benchmarks, 2022" in chartmogul.hovertemplate
    dashes = [s.line.dash for s in fig.layout.shapes]
    assert dashes.count("dash") == len(lines) and dashes.count("dot") == 1
    target = next(t for t in hover if t.meta["kind"] == "target")
    assert "&lt;b&gt;goal&lt;/b&gt;" in target.hovertemplate
