"""The Data page reads a CSV once (`parsed_rows`) for its columns, its preview and its load.

The importer is handed the parsed rows instead of the bytes; these tests pin that it gives exactly what it
gives when it parses the bytes itself (table, rejects, preview), and that it never changes the frame it is
given, so one parse can serve the preview, the load, and every rerun of the page.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from retention.dataset import InputFile, load_dataset
from retention.importing import load_customers, load_subscriptions, parsed_rows, preview, whole_file

FIXTURES = Path(__file__).parent / "fixtures" / "importing"
SUBSCRIPTION_FILES = ["bad_rows.csv", "duplicates.csv", "multi_currency.csv", "semicolon_decimal_comma.csv",
                      "stripe_invoices.csv", "quoted_newlines.csv", "chargebee_subscriptions.csv", "single_csv.zip"]


def _fingerprint(frame: pd.DataFrame) -> tuple:
    return (list(frame.columns), [str(t) for t in frame.dtypes], frame.index.tolist(),
            [frame[c].astype(object).tolist() for c in frame.columns])


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)


@pytest.mark.parametrize("name", SUBSCRIPTION_FILES)
def test_a_parsed_file_loads_and_previews_as_its_bytes_do(name: str) -> None:
    data = (FIXTURES / name).read_bytes()
    parsed = parsed_rows(data, name)
    assert whole_file(parsed)
    before = _fingerprint(parsed)
    mine, theirs = load_subscriptions(data, name, parsed=parsed), load_subscriptions(data, name)
    _same(mine.table, theirs.table)
    _same(mine.rejects, theirs.rejects)
    assert (mine.rows_read, mine.rows_used, mine.rows_rejected) == (theirs.rows_read, theirs.rows_used, theirs.rows_rejected)
    _same(preview(data, name, rows=8, parsed=parsed), preview(data, name, rows=8))
    assert _fingerprint(parsed) == before  # untouched: the page reuses it on every rerun


def test_bad_rows_are_still_rejected_from_parsed_rows() -> None:
    data = (FIXTURES / "bad_rows.csv").read_bytes()
    result = load_subscriptions(data, "bad_rows.csv", parsed=parsed_rows(data, "bad_rows.csv"))
    assert result.rows_rejected > 0 and result.rows_read == result.rows_used + result.rows_rejected


def test_customers_and_the_dataset_take_parsed_rows(tmp_path: Path) -> None:
    subs = b"customer_id,start_date,end_date,mrr\nc1,2024-01-01,,100\nc2,2024-02-10,2024-04-10,50\n"
    customers = b"customer_id,signup_date,plan\nc1,2023-12-30,Pro\nc2,2024-02-01, Basic \nc2,2024-02-01,Basic\n"
    cust_rows = parsed_rows(customers, "customers.csv")
    _same(load_customers(customers, "customers.csv", parsed=cust_rows).table, load_customers(customers, "customers.csv").table)
    data = load_dataset(InputFile(subs, "subscriptions.csv", parsed=parsed_rows(subs, "subscriptions.csv")),
                        InputFile(customers, "customers.csv", parsed=cust_rows))
    assert data.customers.rows_rejected == 1  # the repeated c2
    assert data.customers.table["plan"].tolist() == ["Pro", "Basic"]
    assert data.subscriptions.table["mrr"].tolist() == [100.0, 50.0]


def test_a_workbook_preview_is_not_the_whole_file() -> None:
    from io import BytesIO

    frame = pd.DataFrame({"customer_id": [f"c{i}" for i in range(30)], "start_date": ["2024-01-01"] * 30, "mrr": [10] * 30})
    buffer = BytesIO()
    frame.to_excel(buffer, index=False)
    head = parsed_rows(buffer.getvalue(), "subs.xlsx", max_rows=5)
    assert len(head) == 5 and not whole_file(head)  # the page loads a workbook from its bytes, every row
