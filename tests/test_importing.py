"""The import corpus: every malformed or unusual file has one expected outcome.

Each case is loaded with exact values, loaded with named rejects, or refused with a clear
message; and the same file through the CLI either works or ends with one `error:` line and
exit status 2, never a traceback.  Amounts are hand-computed from METRICS.md §1:
mrr = amount × quantity / months(interval × interval_count); invoice lines: amount / months of the
service period; cents / 100.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from retention.cli import main
from retention.importing import AmbiguousDateOrder, LoadError, load_subscriptions

FIXTURES = Path(__file__).parent / "fixtures" / "importing"
D = pd.Timestamp
NaT = pd.NaT

# file, load options, expected: {"rows": {row: {column: value}}, "rejects": [(row, column, reason, value)]}
LOADED: list[tuple[str, dict, dict]] = [
    # Stripe: sub_1 49 × 2 seats / 1 month = 98; sub_2 1200 / 12 = 100, ended 2024-02-20; trialing keeps its
    # trial end; incomplete and incomplete_expired are excluded; past_due counts; unpaid ends at its current
    # period start 2024-02-01.
    ("stripe_subscriptions.csv", {}, {
        "preset": "stripe_subscriptions",
        "rows": {2: {"customer_id": "cus_A", "mrr": 98.0, "start_date": D("2024-01-05"), "end_date": NaT, "currency": "USD"},
                 3: {"mrr": 100.0, "start_date": D("2023-11-20"), "end_date": D("2024-02-20")},
                 4: {"mrr": 49.0, "trial_end": D("2024-03-15"), "status": "trialing"},
                 6: {"mrr": 100.0, "status": "past_due"},
                 7: {"mrr": 100.0, "end_date": D("2024-02-01"), "status": "unpaid"}},
        "rejects": [(5, "Status", "status excluded by the status policy", "incomplete"),
                    (8, "Status", "status excluded by the status policy", "incomplete_expired")]}),
    # Stripe invoice lines: 49 per 1-month period; 1200 per 12 months = 100; 30 for 14 days =
    # 30 / (14 × 12/365) = 10950/168 = 65.178571 (rounded to micro-units).
    ("stripe_invoices.csv", {}, {
        "preset": "stripe_invoices",
        "rows": {2: {"mrr": 49.0, "start_date": D("2024-01-01"), "end_date": D("2024-02-01")}, 3: {"mrr": 49.0},
                 4: {"mrr": 100.0, "end_date": D("2025-01-15")}, 7: {"mrr": 65.178571, "status": "open"}},
        "rejects": [(5, "Type", "one-time charge, not recurring revenue", "invoiceitem"),
                    (6, "Status", "status excluded by the status policy", "void")]}),
    # Chargebee: 3 × 25 = 75; 300 per 3 months = 100; yearly 240 / 12 = 20; paused with no pause date is rejected.
    ("chargebee_subscriptions.csv", {}, {
        "preset": "chargebee_subscriptions",
        "rows": {2: {"mrr": 75.0, "currency": "EUR"}, 3: {"mrr": 100.0, "end_date": D("2024-07-15")},
                 4: {"mrr": 25.0, "trial_end": D("2024-03-14")}, 5: {"mrr": 20.0, "end_date": D("2024-05-01")}},
        "rejects": [(6, "Status", "stopped paying with no end date", "paused")]}),
    # Paddle (cents): 2900 → 29; paused: 2 × 4900 cents = 98, ends at paused_at; 120000 cents a year = 1200 / 12 = 100.
    ("paddle_subscriptions.csv", {}, {
        "preset": "paddle_subscriptions",
        "rows": {2: {"mrr": 29.0, "start_date": D("2024-01-03")}, 3: {"mrr": 29.0, "trial_end": D("2024-03-15")},
                 4: {"mrr": 98.0, "end_date": D("2024-03-10")}, 5: {"mrr": 100.0, "end_date": D("2024-06-01")}},
        "rejects": []}),
    # ChartMogul (cents, service periods): 5000 cents a month = 50; 60000 cents for 12 months = 600 / 12 = 50
    # (the line amount already includes the quantity); the one-time line is rejected.
    ("chartmogul_line_items.csv", {}, {
        "preset": "chartmogul_line_items",
        "rows": {2: {"mrr": 50.0, "currency": "GBP"}, 3: {"mrr": 50.0}, 4: {"mrr": 50.0, "end_date": D("2025-01-31")}},
        "rejects": [(5, "type", "one-time charge, not recurring revenue", "one_time")]}),
    # Baremetrics: 1999 cents = 19.99; 9900 cents × 3 = 297; 120000 cents a year = 100; epoch seconds
    # 1704067200 = 2024-01-01, ms 1704067200000 = the same day, 1717200000 = 2024-06-01; 19.99 is not cents.
    ("baremetrics_subscriptions.csv", {}, {
        "preset": "baremetrics_subscriptions",
        "rows": {2: {"mrr": 19.99, "start_date": D("2024-01-01")}, 3: {"mrr": 297.0, "end_date": D("2024-06-01")},
                 4: {"mrr": 100.0, "start_date": D("2024-01-01")}},
        "rejects": [(5, "plan_amount", "amount in cents must be a whole number", "19.99")]}),
    # JPY has no minor unit: 3000 "cents" of yen are 3000 yen.
    ("baremetrics_jpy.csv", {}, {"rows": {2: {"mrr": 3000.0, "currency": "JPY"}}, "rejects": []}),
    ("dbt_mrr.csv", {}, {
        "preset": "dbt_mrr",
        "rows": {2: {"customer_id": "100", "mrr": 50.0, "end_date": D("2024-04-01")}, 3: {"mrr": 75.0, "end_date": NaT},
                 4: {"customer_id": "101", "mrr": 20.0}},
        "rejects": []}),
    ("generic_synonyms.csv", {}, {
        "preset": "generic",
        "rows": {2: {"customer_id": "acme", "mrr": 150.0, "start_date": D("2024-01-01"), "plan": "Pro"},
                 3: {"customer_id": "globex", "mrr": 40.5, "end_date": D("2024-05-05")}},
        "rejects": []}),
    ("utf8_bom.csv", {}, {"rows": {2: {"customer_id": "c1", "plan": "Zürich", "mrr": 10.0}}, "rejects": []}),
    ("utf16_tab.txt", {}, {"rows": {2: {"plan": "Zürich"}, 3: {"plan": "Łódź", "mrr": 20.0}}, "rejects": []}),
    # cp1252 from Excel, semicolons, decimal comma with thousands dot and a € sign: 1.234,50 € = 1234.5.
    ("cp1252_semicolon.csv", {}, {
        "rows": {2: {"plan": "Café Pro", "mrr": 1234.5, "start_date": D("2024-01-31"), "currency": "EUR"},
                 3: {"plan": "Crème", "mrr": 99.0, "start_date": D("2024-02-01")}},
        "rejects": []}),
    ("semicolon_decimal_comma.csv", {}, {
        "rows": {2: {"mrr": 1234.56, "start_date": D("2024-01-31")}, 3: {"mrr": 12.5}, 4: {"mrr": 99.0}}, "rejects": []}),
    ("tab_delimited.tsv", {}, {"rows": {2: {"end_date": D("2024-03-01")}, 3: {"mrr": 20.0}}, "rejects": []}),
    ("pipe_delimited.txt", {}, {"rows": {2: {"mrr": 10.0}, 3: {"start_date": D("2024-01-15")}}, "rejects": []}),
    # "1,234.56" says the dot is decimal, so "2,000" in the same column is two thousand.
    ("thousands_comma.csv", {}, {"rows": {2: {"mrr": 1234.56}, 3: {"mrr": 2000.0}}, "rejects": []}),
    # The quoted newline keeps record numbers: the bad amount is on spreadsheet row 3.
    ("quoted_newlines.csv", {}, {"rows": {2: {"plan": "Pro\nAnnual"}}, "rejects": [(3, "mrr", "not a number", "abc")]}),
    ("currency_symbols.csv", {}, {
        "rows": {2: {"mrr": 99.0, "currency": "USD"}, 3: {"mrr": 49.5}},
        "rejects": [(4, "mrr", "negative amount", "(5.00)"), (5, "mrr", "not a number", "12 dollars")]}),
    ("dates_dmy.csv", {}, {"rows": {2: {"start_date": D("2024-01-31")}, 3: {"start_date": D("2024-02-05"), "end_date": D("2024-03-05")}},
                           "rejects": [], "date_order": "dmy"}),
    ("dates_mdy.csv", {}, {"rows": {2: {"start_date": D("2024-01-31")}, 3: {"start_date": D("2024-02-05"), "end_date": D("2024-03-05")}},
                           "rejects": [], "date_order": "mdy"}),
    ("dates_ambiguous.csv", {"date_order": "dmy"}, {"rows": {2: {"start_date": D("2024-02-01")}, 3: {"start_date": D("2024-04-03")}},
                                                     "rejects": []}),
    ("dates_ambiguous.csv", {"date_order": "mdy"}, {"rows": {2: {"start_date": D("2024-01-02")}, 3: {"start_date": D("2024-03-04")}},
                                                     "rejects": []}),
    # The user settles a conflicting file: the row that is impossible in that order is rejected, not re-guessed.
    ("dates_conflicting.csv", {"date_order": "dmy"}, {"rows": {2: {"start_date": D("2024-01-31")}},
                                                       "rejects": [(3, "start_date", "not a date", "01/31/2024")]}),
    # 23:30 at UTC-5 is 04:30 UTC on Feb 1; 00:30 at UTC+2 is 22:30 UTC on Jan 31.
    ("timestamps_tz.csv", {}, {"rows": {2: {"start_date": D("2024-02-01")}, 3: {"start_date": D("2024-01-31")},
                                        4: {"start_date": D("2024-03-01")}, 5: {"start_date": D("2024-03-02")}}, "rejects": []}),
    ("epoch.csv", {}, {"rows": {2: {"start_date": D("2024-01-01"), "end_date": D("2024-02-01")}, 3: {"start_date": D("2024-02-01")}},
                       "rejects": []}),
    ("yyyymmdd.csv", {}, {"rows": {2: {"start_date": D("2024-01-31")}}, "rejects": [(3, "start_date", "not a date", "20241301")]}),
    ("trailing_empty_columns.csv", {}, {"rows": {2: {"mrr": 10.0}, 3: {"mrr": 20.0}}, "rejects": []}),
    ("duplicates.csv", {}, {"rows": {2: {"customer_id": "c1"}, 4: {"customer_id": "c2"}},
                            "rejects": [(3, "", "duplicate row", "c1 | 2024-01-01 | 10"),
                                        (5, "", "duplicate row", "c1 | 2024-01-01 | 10")]}),
    # 120 a year = 10 a month; every other row fails one named check.
    ("bad_rows.csv", {}, {"rows": {2: {"mrr": 10.0}}, "rejects": [
        (3, "customer_id", "missing customer id", ""), (4, "start_date", "not a date", "not a date"),
        (5, "end_date", "ends before it starts", "2024-02-01"), (6, "amount", "negative amount", "-10"),
        (7, "interval", "unknown billing interval (use day, week, month, quarter or year)", "fortnight")]}),
    ("gzip_renamed.csv", {}, {"rows": {2: {"mrr": 10.0}, 3: {"mrr": 20.0}}, "rejects": []}),
    ("single_csv.zip", {}, {"rows": {2: {"customer_id": "c1", "mrr": 10.0}}, "rejects": []}),
    # Excel: 1200 a year = 100; a datetime cell 13:30 is its day; the blank row is not a record.
    ("workbook.xlsx", {"sheet": "Subscriptions"}, {
        "rows": {2: {"mrr": 100.0, "start_date": D("2024-01-01")},
                 3: {"mrr": 49.5, "start_date": D("2024-02-15"), "end_date": D("2024-05-15")}},
        "rejects": [(5, "start_date", "not a date", "not a date")]}),
    # 100 USD + 100 EUR × 1.10 + 1000 SEK × 0.095 = 100 + 110 + 95.
    # Issue 14: several currencies without (complete) rates are converted at the ECB reference rate of each row's
    # date (2024-01-01 is a holiday: the rates of Fri 29 Dec 2023, EUR 1 = USD 1.1050 = SEK 11.0960); the file's
    # most common currency (here the first, all tied) reports when none is chosen; the user's EUR rate wins.
    ("multi_currency.csv", {}, {"rows": {2: {"mrr": 100.0, "currency": "USD"}, 3: {"mrr": 110.5},
                                         4: {"mrr": pytest.approx(1000 * 1.1050 / 11.0960)}}, "rejects": []}),
    ("multi_currency.csv", {"reporting_currency": "USD", "rates": {"EUR": 1.1}}, {
        "rows": {2: {"mrr": 100.0}, 3: {"mrr": 110.0}, 4: {"mrr": pytest.approx(1000 * 1.1050 / 11.0960)}}, "rejects": []}),
    ("multi_currency.csv", {"reporting_currency": "USD", "rates": {"EUR": 1.10, "SEK": 0.095}}, {
        "rows": {2: {"mrr": 100.0, "currency": "USD"}, 3: {"mrr": 110.0, "currency": "USD"}, 4: {"mrr": 95.0}}, "rejects": []}),
]

REFUSED: list[tuple[str, dict, str]] = [
    ("empty.csv", {}, "the file is empty"),
    # Issue 14: a header without rows is refused like an empty file (it used to load as an empty table).
    ("header_only.csv", {}, "row 1: the file has only a header row (customer_id, start_date, mrr) and no data rows"),
    ("missing_customer_column.csv", {}, "no column for 'customer_id'; columns found: name, start_date, mrr"),
    ("ragged_rows.csv", {}, "row 3: this row has 5 cells but the header has 3"),
    ("legacy.xls", {}, "old Excel .xls workbook"),
    ("image.png", {}, "not a CSV or Excel file"),
    ("two_files.zip", {}, "exactly one CSV file; it holds 2"),
    ("workbook.xlsx", {}, "the workbook has the sheets Notes, Subscriptions"),
    ("workbook.xlsx", {"sheet": "Plans"}, "no sheet 'Plans'; sheets: Notes, Subscriptions"),
    ("dates_ambiguous.csv", {}, "dates such as 01/02/2024, 03/04/2024 could be day/month or month/day"),
    ("dates_conflicting.csv", {}, "could be day/month or month/day"),
]


def load(name: str, **options):
    return load_subscriptions((FIXTURES / name).read_bytes(), name, **options)


def test_corpus_is_large_enough():
    files = {p.name for p in FIXTURES.iterdir() if p.name != "rates.csv"}
    assert len(files) >= 25
    assert files <= {c[0] for c in LOADED} | {c[0] for c in REFUSED} | {"rates.csv"}


@pytest.mark.parametrize(("name", "options", "expected"), LOADED, ids=[f"{c[0]}-{sorted(c[1])}" for c in LOADED])
def test_loaded(name, options, expected):
    result = load(name, **options)
    assert result.rows_read == result.rows_used + result.rows_rejected
    assert sorted(result.table.index) == sorted(expected["rows"])
    for row, values in expected["rows"].items():
        for column, value in values.items():
            got = result.table.loc[row, column]
            if value is NaT:
                assert pd.isna(got), (row, column, got)
            elif isinstance(value, float):
                assert got == pytest.approx(value, abs=1e-6), (row, column)
            else:
                assert got == value, (row, column, got)
    rejects = [(int(r.row), r.column, r.reason, r.value) for r in result.rejects.itertuples()]
    assert rejects == expected["rejects"]
    assert set(result.rejects["file"]) <= {name}
    if "preset" in expected:
        assert result.preset == expected["preset"]
    if "date_order" in expected:
        assert result.date_order == expected["date_order"]


@pytest.mark.parametrize(("name", "options", "message"), REFUSED, ids=[f"{c[0]}-{sorted(c[1])}" for c in REFUSED])
def test_refused(name, options, message):
    with pytest.raises(LoadError) as caught:
        load(name, **options)
    text = caught.value.message()
    assert text.startswith(name)
    assert message in text
    assert "\n" not in text


def test_ambiguous_dates_can_be_caught_to_ask_the_user():
    with pytest.raises(AmbiguousDateOrder) as caught:
        load("dates_ambiguous.csv")
    assert caught.value.columns == ("start_date",)
    assert caught.value.examples == ("01/02/2024", "03/04/2024")


ALL_FILES = sorted(p.name for p in FIXTURES.iterdir())


@pytest.mark.parametrize("name", ALL_FILES)
def test_cli_never_shows_a_traceback(name, capsys):
    code = main(["metrics", "--subscriptions", str(FIXTURES / name), "--as-of", "2024-06-30", "--format", "csv"])
    err = capsys.readouterr().err
    assert "Traceback" not in err and "unexpected problem" not in err
    refused = {c[0] for c in REFUSED if not c[1]} | {"rates.csv"}
    if name in refused:
        assert code == 2
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"error: {name}")
    else:
        assert code == 0
        assert all(line.startswith(("warning:", "info:")) for line in err.strip().splitlines())  # info: issue 14


def test_cli_reading_options(tmp_path, capsys):
    rejects = tmp_path / "rejects.csv"
    assert main(["metrics", "--subscriptions", str(FIXTURES / "dates_ambiguous.csv"), "--date-order", "dmy",
                 "--as-of", "2024-04-30", "--format", "json"]) == 0
    assert main(["metrics", "--subscriptions", str(FIXTURES / "workbook.xlsx"), "--sheet", "Subscriptions",
                 "--as-of", "2024-04-30", "--rejects", str(rejects)]) == 0
    assert pd.read_csv(rejects)["reason"].tolist() == ["not a date"]
    # 100 + 100 × 1.10 + 1000 × 0.095 = 305 at the end of January 2024.
    assert main(["metrics", "--subscriptions", str(FIXTURES / "multi_currency.csv"), "--currency", "usd",
                 "--rates", str(FIXTURES / "rates.csv"), "--as-of", "2024-01-31", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert pd.read_csv(io.StringIO(out[out.rindex("period,"):]))["mrr_end"].tolist() == [305.0]


@pytest.mark.parametrize(("argv", "message"), [
    (["--rates", "rates.csv"], "--rates needs --currency"),
    (["--status", "past_due=maybe"], "--status takes STATUS=ACTION"),
    (["--currency", "USD", "--rates", "missing.csv"], "missing.csv: file not found"),
])
def test_cli_option_errors_are_one_line(argv, message, capsys):
    code = main(["metrics", "--subscriptions", str(FIXTURES / "multi_currency.csv"), *argv])
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error:") and message in lines[0]
