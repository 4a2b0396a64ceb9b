"""The benchmark's baselines give the contract's numbers, agree with the product, and the command runs.

No timing is asserted: only that the pandas and DuckDB baselines compute METRICS.md §3–§4 the
same way the product does (on a hand-worked table and on a small generated company), that a
disagreement is caught, and that `python -m retention.bench --quick` prints its tables.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from retention.bench import HEADER, main, parse_args
from retention.bench.baselines import SHARED, check_agree, data_as_of, duckdb_metrics, pandas_metrics, product_metrics
from retention.bench.stages import count_label, make_company, parse_count
from retention.importing import load_subscriptions
from retention.periods import GRANULARITIES

ROOT = Path(__file__).resolve().parent.parent
AS_OF = pd.Timestamp("2019-06-30")

# Canonical subscriptions (MRR already monthly). Month-end snapshots (a span counts when start <= day < end):
#
#   month    A    B    C    D   | total  active
#   2019-01 100   50   .    .   |  150    2     E is free (MRR 0): never a customer
#   2019-02 100   80  100   .   |  280    3     b2 adds 30 to B; C starts 02-01
#   2019-03 100   80   .    .   |  180    2     c1 ended 03-10; D is in its trial until 04-15
#   2019-04 100   50   .   60   |  210    3     b2 ended 04-15; D pays from 04-15
#   2019-05 100   50  40   60   |  250    4     C comes back on 05-05 (reactivation)
#   2019-06 100   50  40   60   |  250    4
SUBSCRIPTIONS = pd.DataFrame({
    "customer_id": ["A", "B", "B", "C", "C", "D", "E"],
    "start_date": pd.to_datetime(["2019-01-15", "2019-01-10", "2019-02-20", "2019-02-01", "2019-05-05", "2019-03-01", "2019-01-05"]),
    "end_date": pd.to_datetime([None, None, "2019-04-15", "2019-03-10", None, None, None]),
    "mrr": [100.0, 50.0, 30.0, 100.0, 40.0, 60.0, 0.0],
    "trial_end": pd.to_datetime([None, None, None, None, None, "2019-04-15", None]),
})

# Per month: S, E, new, reactivated, churned | mrr start, end, new, reactivation, expansion, contraction, churned
MONTHLY = {
    "2019-01": (0, 2, 2, 0, 0, 0, 150, 150, 0, 0, 0, 0),  # A and B new: 100 + 50
    "2019-02": (2, 3, 1, 0, 0, 150, 280, 100, 0, 30, 0, 0),  # C new 100; B 50 -> 80 is expansion 30
    "2019-03": (3, 2, 0, 0, 1, 280, 180, 0, 0, 0, 0, 100),  # C churns with 100; 280 - 100 = 180
    "2019-04": (2, 3, 1, 0, 0, 180, 210, 60, 0, 0, 30, 0),  # D new 60; B 80 -> 50 contraction 30; 180 + 60 - 30 = 210
    "2019-05": (3, 4, 0, 1, 0, 210, 250, 0, 40, 0, 0, 0),  # C was active in 2019-02: reactivation 40
    "2019-06": (4, 4, 0, 0, 0, 250, 250, 0, 0, 0, 0, 0),
}
# Quarter-end snapshots 03-31 (A 100, B 80) and 06-30 (A 100, B 50, C 40, D 60). C was never active at a
# quarter-end before Q2, so at this granularity it is new there, like D: new 2 with 40 + 60 = 100;
# B 80 -> 50 is contraction 30; 180 + 100 - 30 = 250.
QUARTERLY = {
    "2019-Q1": (0, 2, 2, 0, 0, 0, 180, 180, 0, 0, 0, 0),
    "2019-Q2": (2, 4, 2, 0, 0, 180, 250, 100, 0, 0, 30, 0),
}


def _expected(rows: dict[str, tuple]) -> pd.DataFrame:
    return pd.DataFrame([(period, *values) for period, values in rows.items()], columns=["period", *SHARED])


@pytest.mark.parametrize("baseline", [pandas_metrics, duckdb_metrics, product_metrics])
def test_baselines_and_product_give_the_hand_worked_numbers(baseline):
    check_agree(_expected(MONTHLY), baseline(SUBSCRIPTIONS, "month", AS_OF), baseline.__name__)
    check_agree(_expected(QUARTERLY), baseline(SUBSCRIPTIONS, "quarter", AS_OF), baseline.__name__)
    # 2019 ends on 12-31, after the as-of date: no complete year, so no rows at all.
    assert baseline(SUBSCRIPTIONS, "year", AS_OF).empty


def test_as_of_is_the_latest_start_or_end_date():
    # Latest start is 2019-05-05, latest end 2019-04-15.
    assert data_as_of(SUBSCRIPTIONS) == pd.Timestamp("2019-05-05")


def test_check_agree_names_the_first_difference():
    product = _expected(MONTHLY)
    wrong = product.copy()
    wrong.loc[3, "mrr_contraction"] = 29.0  # 2019-04 should be 30
    with pytest.raises(AssertionError, match=r"mrr_contraction in 2019-04"):
        check_agree(product, wrong, "pandas")
    wrong = product.copy()
    wrong.loc[2, "customers_churned"] = 0  # 2019-03 should be 1
    with pytest.raises(AssertionError, match=r"customers_churned in 2019-03"):
        check_agree(product, wrong, "DuckDB")


def test_baselines_agree_with_the_product_on_a_generated_company():
    company = make_company("tiny", customers=250, months=30)
    table = load_subscriptions(company.subscriptions_csv, "subscriptions.csv").table
    as_of = data_as_of(table)
    for g in GRANULARITIES:
        product = product_metrics(table, g, as_of)
        assert len(product) > 0
        check_agree(product, pandas_metrics(table, g, as_of), f"pandas {g}")
        check_agree(product, duckdb_metrics(table, g, as_of), f"DuckDB {g}")


def test_counts_parse_and_print():
    # 1M = 1,000,000; 10M = 10,000,000; 500k = 500,000
    assert [parse_count(t) for t in ("1M", "10m", "500k", "250000", "1.5k")] == [1_000_000, 10_000_000, 500_000, 250_000, 1_500]
    assert [count_label(n) for n in (10_000_000, 1_500, 20)] == ["10M", "1.5k", "20"]


def test_arguments():
    args = parse_args(["--sizes", "large,small", "--events", "1M,10M", "--repeat", "5"])
    assert args.size_list == ["small", "large"]  # smallest first
    assert args.event_rows == [1_000_000, 10_000_000]
    assert args.repeat == 5
    quick = parse_args(["--quick"])
    assert (quick.size_list, quick.repeat) == (["tiny"], 1)
    with pytest.raises(SystemExit):
        parse_args(["--sizes", "huge"])


def test_quick_run_prints_the_tables():
    lines: list[str] = []
    status = main(["--quick"], out=lines.append, log=lambda _: None)
    text = "\n".join(lines)
    assert status == 0
    assert HEADER in text
    assert "| read + validate subscriptions CSV |" in text
    assert "| engagement cohorts" in text
    assert "DIFFERS" not in text
    assert text.count("| agree |") == 4 * 2  # month, quarter, year and all three; each line: pandas and DuckDB agree
    assert "Machine:" in text and "## Targets" in text
    assert "## Floors" in text and "| Arrow's CSV reader, subscriptions into text columns" in text


def test_module_entry_point_runs():
    done = subprocess.run([sys.executable, "-m", "retention.bench", "--quick", "--events", ""], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert HEADER in done.stdout


def test_whole_process_cli_and_duckdb_script_agree_on_a_generated_company():
    """The whole-process comparison: both processes run on the same CSV file and print the same numbers."""
    from retention.bench.process import process_table, whole_process

    company = make_company("tiny")
    loaded = load_subscriptions(company.subscriptions_csv, "subscriptions.csv")
    result = whole_process("tiny", company.subscription_rows, company.subscriptions_csv, data_as_of(loaded.table), 1,
                           lambda _: None)
    assert result.check == "agree"
    assert result.cli > 0 and result.duckdb > 0 and result.help > 0
    table = process_table([result])
    assert f"| tiny | {company.subscription_rows:,} |" in table and "| agree |" in table


def test_duckdb_script_gives_the_hand_worked_months(tmp_path):
    """The standalone SQL script reads a CSV with amount + interval + quantity and a trial, as the product does."""
    csv = tmp_path / "subs.csv"
    csv.write_text(
        "customer_id,start_date,end_date,amount,interval,quantity,status,trial_end\n"
        "A,2019-01-15,,100,month,1,active,\n"
        "B,2019-01-10,,600,year,1,active,\n"  # 600 a year = 50 a month
        "B,2019-02-20,2019-04-15,15,month,2,canceled,\n"  # 30 a month on top
        "C,2019-02-01,2019-03-10,100,month,1,canceled,\n"
        "C,2019-05-05,,40,month,1,active,\n"
        "D,2019-03-01,,60,month,1,trialing,2019-04-15\n"
        "X,2019-01-05,,99,month,1,incomplete,\n"  # never paid: left out like the product's rejects
    )
    done = subprocess.run([sys.executable, str(ROOT / "retention" / "bench" / "duckdb_script.py"), str(csv), "2019-06-30"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    frame = pd.read_csv(io.StringIO(done.stdout), dtype={"period": str})
    check_agree(_expected(MONTHLY), frame, "DuckDB script")


def test_the_upload_memory_stage_reads_every_row_of_its_generated_export(tmp_path: Path) -> None:
    """`--memory` writes a plain export and reads it in a fresh process; every generated row must be used."""
    from retention.bench.upload_memory import measure_upload, write_export

    rows = write_export(tmp_path / "s.csv", 0.05)
    assert rows == 1_000  # one chunk of 1,000 lines passes 0.05 MB (52,429 bytes)
    assert (tmp_path / "s.csv").stat().st_size >= 0.05 * 1024 ** 2
    lines = (tmp_path / "s.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == rows + 1
    # Customer 3: every third customer has ended (2025-04-15), plans cycle (3 -> Enterprise), 29 + 3 = 32.00 a month.
    assert lines[1 + 3] == "cus_000000003,Enterprise,2023-04-04,2025-04-15,32.00,EUR,month"
    found = measure_upload(0.05)
    assert (found.rows, found.rows_used) == (1_000, 1_000)
    assert 0 < found.baseline < found.peak


def test_table_memory_counts_a_shared_string_once() -> None:
    """A plan column of 1,000 rows pointing at one string holds 8,000 bytes of pointers plus that string once
    (`memory_usage(deep=True)` would count the string 1,000 times); Arrow ids count their buffers."""
    import sys as _sys

    from retention.bench import _mb
    from retention.importing.ids import ID_DTYPE

    plan = "Starter"
    frame = pd.DataFrame({"plan": pd.Series([plan] * 1000, dtype=object), "n": np.arange(1000, dtype=np.int64),
                          "id": pd.Series([f"c{i:03d}" for i in range(1000)], dtype=ID_DTYPE)})
    ids = frame["id"].array.__arrow_array__().nbytes
    expected = frame.index.memory_usage(deep=True) + 8_000 + _sys.getsizeof(plan) + 8_000 + ids
    assert _mb(frame) * 1024 ** 2 == expected
    assert frame.memory_usage(deep=True).sum() > expected + 900 * _sys.getsizeof(plan)


def test_floors_read_every_row_and_say_their_share_of_the_target() -> None:
    from retention.bench.floors import Floor, arrow_text_read, floors_table

    csv = b"subscription_id,customer_id,amount\ns1,c1,10\ns2,c1, 20\ns3,c2,\n"
    assert arrow_text_read(csv)() == 3
    floor = Floor("Arrow alone", 0.2, "0.040 s for 100,000 rows, scaled", 0.5, "read ≤ 0.5 s")
    assert floor.share == pytest.approx(0.4)
    assert "| Arrow alone | 0.20 | 0.040 s for 100,000 rows, scaled | read ≤ 0.5 s | 40% |" in floors_table([floor])
