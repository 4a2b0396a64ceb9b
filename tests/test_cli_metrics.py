"""`python -m retention metrics`: output formats, nulls, clean errors and rejects (issue 2, CLI).

Numbers come from the fixture worked out by hand in tests/test_metrics_hand.py.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

from retention.cli import main

NAMES = [
    "customers_start", "customers_end", "customers_new", "customers_reactivated", "customers_churned",
    "crr", "retained_rate", "logo_churn_rate",
    "mrr_start", "mrr_end", "mrr_new", "mrr_reactivation", "mrr_expansion", "mrr_contraction", "mrr_churned",
    "nrr", "grr", "gross_mrr_churn_rate", "net_mrr_churn_rate", "arpa", "quick_ratio",
    "customer_lifetime_months", "ltv", "renewal_rate",
]


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main(["metrics", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def json_rows(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> dict[str, dict]:
    code, out, err = run(capsys, *argv, "--format", "json")
    assert code == 0, err
    assert "NaN" not in out and "Infinity" not in out
    payload = json.loads(out)
    assert list(payload) == ["rows", "files"]  # issue 14: how each file was read
    return {r["period"]: r for r in payload["rows"]}


def test_json_rows_keys_and_nulls(capsys: pytest.CaptureFixture[str], metrics_fixtures: Path) -> None:
    rows = json_rows(capsys, "--subscriptions", metrics_fixtures / "subscriptions.csv", "--as-of", "2020-12-31")
    assert list(rows) == [f"{y}-{m:02d}" for y in (2019, 2020) for m in range(1, 13)]
    for row in rows.values():
        assert list(row) == ["period", *NAMES]
    first = rows["2019-01"]
    # S = 0 in the first month: every rate over S or mrr_start is null, not 0
    for name in ("crr", "retained_rate", "logo_churn_rate", "nrr", "grr", "gross_mrr_churn_rate",
                 "net_mrr_churn_rate", "quick_ratio", "customer_lifetime_months", "ltv", "renewal_rate"):
        assert first[name] is None, name
    assert first["customers_new"] == 3 and first["mrr_new"] == 160
    march = rows["2019-03"]
    # crr (5 − 1)/5 = 80; nrr (340 − 10)/340; arpa 430/5; quick 100/10; lifetime 1/mean(0, 0.2); ltv 86 × 10
    assert march["crr"] == 80 and march["arpa"] == 86 and march["quick_ratio"] == 10
    assert march["nrr"] == pytest.approx(330 / 340 * 100)
    assert (march["customer_lifetime_months"], march["ltv"], march["renewal_rate"]) == (10, 860, 0)
    assert rows["2019-06"]["customers_reactivated"] == 1 and rows["2019-06"]["mrr_reactivation"] == 40


def test_json_quarter_window_segment_margin(capsys: pytest.CaptureFixture[str], metrics_fixtures: Path) -> None:
    common = ["--subscriptions", metrics_fixtures / "subscriptions.csv", "--as-of", "2020-12-31"]
    quarters = json_rows(capsys, *common, "--period", "quarter", "--from", "2019-Q2", "--to", "2019-08")
    assert list(quarters) == ["2019-Q2", "2019-Q3"]  # --to 2019-08 widens to Q3
    # Q2: 430 → 370, new 80, contraction 90, churned 50; crr (6 − 2)/5
    q2 = quarters["2019-Q2"]
    assert (q2["customers_start"], q2["customers_new"], q2["crr"]) == (5, 2, 80)
    assert (q2["mrr_contraction"], q2["mrr_churned"]) == (90, 50)
    years = json_rows(capsys, *common, "--period", "year")
    assert years["2020"]["nrr"] == pytest.approx(280 / 370 * 100)  # (370 + 10 − 100)/370
    pro = json_rows(capsys, *common, "--customers", metrics_fixtures / "customers.csv", "--segment", "plan=Pro",
                    "--from", "2019-03", "--to", "2019-03", "--gross-margin", "80")
    # Pro in March: S = 4, E = 4, crr 75, arpa 350/4 = 87.5, lifetime 8, ltv 87.5 × 0.8 × 8 = 560
    assert list(pro) == ["2019-03"]
    assert (pro["2019-03"]["crr"], pro["2019-03"]["arpa"], pro["2019-03"]["ltv"]) == (75, 87.5, 560)


def test_csv_format(capsys: pytest.CaptureFixture[str], metrics_fixtures: Path) -> None:
    code, out, err = run(capsys, "--subscriptions", metrics_fixtures / "gap.csv", "--as-of", "2019-05-31", "--format", "csv")
    assert code == 0 and only_info(err)
    frame = pd.read_csv(io.StringIO(out))
    assert list(frame.columns) == ["period", *NAMES]
    assert frame["period"].tolist() == ["2019-01", "2019-02", "2019-03", "2019-04", "2019-05"]
    march = frame.iloc[2]  # the empty month: nulls are empty cells
    assert march[["crr", "nrr", "arpa", "quick_ratio"]].isna().all()
    assert frame["crr"].iloc[4] == 200  # May: (2 − 0)/1


def test_table_format(capsys: pytest.CaptureFixture[str], metrics_fixtures: Path) -> None:
    code, out, err = run(capsys, "--subscriptions", metrics_fixtures / "gap.csv", "--as-of", "2019-05-31", "--format", "table")
    assert code == 0 and only_info(err)
    lines = out.strip().splitlines()
    assert len(lines) == 1 + 5
    assert lines[0].split()[:3] == ["period", "customers_start", "customers_end"]
    assert lines[3].split()[0] == "2019-03" and "—" in lines[3]  # nulls shown as a dash


def only_info(err: str) -> bool:
    """Issue 14: stderr says how each file was read (`info:` lines); nothing else may appear."""
    return all(line.startswith("info: ") for line in err.splitlines())


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def error_cases(tmp: Path, fixtures: Path) -> dict[str, tuple[list, list[str]]]:
    """name → (arguments, fragments the single error line must contain)."""
    gap = fixtures / "gap.csv"
    no_start = write(tmp / "subs.csv", "customer_id,mrr\na,10\n")
    ragged = write(tmp / "ragged.csv", "customer_id,start_date,mrr\na,2019-01-01,10\nb,2019-01-01,10,extra,more\n")
    return {
        "missing file": (["--subscriptions", tmp / "nope.csv"], ["nope.csv", "not found"]),
        "missing column": (["--subscriptions", no_start], ["subs.csv", "row 1", "start_date"]),
        "ragged row": (["--subscriptions", ragged], ["ragged.csv", "row 3"]),
        "unreadable --from": (["--subscriptions", gap, "--from", "soon"], ["'soon'", "2019-01"]),
        "coarser --from": (["--subscriptions", gap, "--from", "2019"], ["'2019'", "month"]),
        "unreadable --as-of": (["--subscriptions", gap, "--as-of", "never"], ["--as-of", "'never'"]),
        "segment syntax": (["--subscriptions", gap, "--segment", "plan"], ["--segment", "COLUMN=VALUE"]),
        "segment without customers": (["--subscriptions", gap, "--segment", "plan=Pro"], ["--segment", "--customers"]),
        "segment column": (["--subscriptions", gap, "--customers", fixtures / "customers.csv", "--segment", "tier=Pro"],
                           ["customers.csv", "row 1", "'tier'"]),
        "map missing column": (["--subscriptions", gap, "--map", "mrr=monthly"], ["gap.csv", "row 1", "'monthly'", "mrr"]),
        "gross margin": (["--subscriptions", gap, "--gross-margin", "0"], ["--gross-margin"]),
    }


CASES = ["missing file", "missing column", "ragged row", "unreadable --from", "coarser --from", "unreadable --as-of",
         "segment syntax", "segment without customers", "segment column", "map missing column", "gross margin"]


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_one_error_line(capsys, tmp_path: Path, metrics_fixtures: Path, case: str) -> None:
    argv, fragments = error_cases(tmp_path, metrics_fixtures)[case]
    code, out, err = run(capsys, *argv, "--format", "json")
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def test_rejects_warning_and_file(capsys: pytest.CaptureFixture[str], tmp_path: Path, metrics_fixtures: Path) -> None:
    source = metrics_fixtures / "rejects.csv"
    # 7 rows read: rows 2 (A) and 8 (F, 1200/year = 100) are good, rows 3–7 are rejected
    code, out, err = run(capsys, "--subscriptions", source, "--as-of", "2019-02-28", "--format", "json")
    assert code == 0
    assert err.splitlines() == ["warning: rejects.csv: 5 of 7 rows rejected (write them with --rejects FILE)"]
    rows = {r["period"]: r for r in json.loads(out)["rows"]}
    # only the good rows count: Jan A 100; Feb A 100 + F 100 (rows read 7 = used 2 + rejected 5)
    assert (rows["2019-01"]["customers_end"], rows["2019-02"]["customers_end"], rows["2019-02"]["mrr_end"]) == (1, 2, 200)

    target = tmp_path / "rejects_out.csv"
    code, out, err = run(capsys, "--subscriptions", source, "--rejects", target, "--format", "json")
    assert code == 0
    assert err.splitlines() == ["warning: rejects.csv: 5 of 7 rows rejected"]
    rejects = pd.read_csv(target, dtype=str, keep_default_na=False)
    assert list(rejects.columns) == ["file", "row", "column", "value", "reason"]
    assert rejects["file"].unique().tolist() == ["rejects.csv"]
    assert rejects["row"].tolist() == ["3", "4", "5", "6", "7"]
    assert rejects["column"].tolist() == ["customer_id", "start_date", "end_date", "amount", "interval"]
    # the file is spreadsheet-safe: a cell starting with "-" gets a leading apostrophe (Excel hides it)
    assert [v.removeprefix("'") for v in rejects["value"]] == ["", "not a date", "2019-02-01", "-5", "fortnight"]
    reasons = rejects["reason"].tolist()
    assert reasons[:4] == ["missing customer id", "not a date", "ends before it starts", "negative amount"]
    assert reasons[4].startswith("unknown billing interval")


def test_no_rejects_no_warning(capsys: pytest.CaptureFixture[str], tmp_path: Path, metrics_fixtures: Path) -> None:
    target = tmp_path / "none.csv"
    code, _, err = run(capsys, "--subscriptions", metrics_fixtures / "subscriptions.csv", "--rejects", target, "--format", "csv")
    assert code == 0 and only_info(err)
    assert pd.read_csv(target).empty


def test_cli_says_how_each_file_was_read(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    subs = write(tmp_path / "subs.csv", "account_id,start,end,mrr_amount\na,2019-01-01,9999-12-31,10\nb,2019-01-01,2019-03-01,20\n,x,,1\n")
    code, out, err = run(capsys, "--subscriptions", subs, "--as-of", "2019-03-31", "--format", "csv")
    assert code == 0 and out.startswith("period,")
    lines = err.splitlines()
    assert lines[0] == "warning: subs.csv: 1 of 3 rows rejected (write them with --rejects FILE)"
    assert "info: subs.csv: Generic columns; 3 rows read, 2 used, 1 rejected" in lines
    assert "info: subs.csv: columns customer_id=account_id, start_date=start, end_date=end, mrr=mrr_amount" in lines
    assert "info: subs.csv: 1 end dates far in the future read as still running: 9999-12-31 (1)" in lines
    code, out, err = run(capsys, "--subscriptions", subs, "--as-of", "2019-03-31", "--format", "json")
    files = json.loads(out)["files"]
    assert err.startswith("warning:") and "info:" not in err  # JSON: the facts are in the document
    assert files[0]["preset"] == "generic" and files[0]["rows_used"] == 2 and files[0]["open_end_sentinels"] == {"9999-12-31": 1}


def test_header_only_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    subs = write(tmp_path / "subs.csv", "customer_id,start_date,mrr\n")
    code, out, err = run(capsys, "--subscriptions", subs)
    assert code == 2 and out == ""
    assert err.strip() == ("error: subs.csv, row 1: the file has only a header row (customer_id, start_date, mrr) and no data rows; "
                           "export it again with the data")
