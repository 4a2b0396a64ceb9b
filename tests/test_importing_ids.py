"""Id columns are Arrow text in every canonical table, read the same whichever reader parsed the file (issue 21).

A file of a few hundred rows makes Arrow's reader treat its customer column as an id column (more than
half of the first rows distinct); the same rows with a quirk that sends the file to pandas' reader (a
space before an opening quote) must give the same ids, the same dtype and the same rejects.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

from retention.importing import load_subscriptions
from retention.importing.ids import ID_DTYPE
from retention.importing.tables import load_customers

ROOT = Path(__file__).resolve().parents[1]


def _subscriptions(rows: int = 300, *, pandas_reader: bool = False) -> bytes:
    plan = ' "Pro"' if pandas_reader else "Pro"
    lines = ["customer_id,subscription_id,plan,start_date,end_date,mrr"]
    for i in range(rows):
        sub = "" if i == 7 else f"sub_{i:04d}"  # one row without a subscription id
        lines.append(f"  cus_{i:04d} ,{sub},{plan},2024-01-{1 + i % 28:02d},,{10 + i % 5}")
    lines.append(lines[5])  # an exact copy of an earlier row
    return ("\n".join(lines) + "\n").encode()


def test_subscription_ids_are_arrow_text_stripped_and_filled() -> None:
    result = load_subscriptions(_subscriptions(), "subs.csv")
    table = result.table
    assert table["customer_id"].dtype == ID_DTYPE
    assert table["subscription_id"].dtype == ID_DTYPE
    assert result.rows_read == 301 and result.rows_used == 300 and result.rows_rejected == 1
    assert result.rejects["reason"].tolist() == ["duplicate row"] and result.rejects["row"].tolist() == [302]
    assert table["customer_id"].iloc[:3].tolist() == ["cus_0000", "cus_0001", "cus_0002"]  # padding stripped
    assert table.loc[9, "subscription_id"] == "row-9"  # data row 8 (spreadsheet row 9) had none
    assert table.loc[10, "subscription_id"] == "sub_0008"
    assert table["customer_id"].nunique() == 300
    assert table["mrr"].sum() == 60 * (10 + 11 + 12 + 13 + 14)


def test_the_pandas_reader_gives_the_same_ids_dtype_and_rejects() -> None:
    arrow = load_subscriptions(_subscriptions(), "subs.csv")
    fallback = load_subscriptions(_subscriptions(pandas_reader=True), "subs.csv")
    pd.testing.assert_frame_equal(fallback.table, arrow.table)
    assert fallback.rejects["row"].tolist() == arrow.rejects["row"].tolist()


def test_a_file_without_subscription_ids_names_each_row() -> None:
    text = "customer_id,start_date,mrr\n" + "".join(f"c{i},2024-02-01,5\n" for i in range(150))
    table = load_subscriptions(text.encode(), "s.csv").table
    assert table["subscription_id"].dtype == ID_DTYPE
    assert table["subscription_id"].iloc[[0, 149]].tolist() == ["row-2", "row-151"]


def test_customer_ids_are_arrow_text_and_duplicates_are_still_found() -> None:
    text = "customer_id,country\n" + "".join(f"c{i},NL\n" for i in range(200)) + "c3,DE\n"
    result = load_customers(text.encode(), "customers.csv")
    assert result.table["customer_id"].dtype == ID_DTYPE
    assert result.rows_used == 200
    assert result.rejects["reason"].tolist() == ["duplicate customer id (an earlier row has it)"]
    assert result.rejects["row"].tolist() == [202]


def test_the_server_and_cli_make_arrow_allocate_with_malloc() -> None:
    """Before or after pyarrow is imported, `return_freed_memory` leaves Arrow on the system allocator."""
    for code in ("from retention.memory import return_freed_memory as r, trim; r(); import pyarrow as pa; trim()",
                 "import pyarrow as pa; from retention.memory import return_freed_memory as r, trim; r(); trim()"):
        done = subprocess.run([sys.executable, "-c", code + "; print(pa.default_memory_pool().backend_name)"],
                              cwd=ROOT, capture_output=True, text=True, check=True,
                              env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
        assert done.stdout.strip() == "system"


def test_event_timestamps_read_from_arrow_text_and_rejects_keep_their_cells() -> None:
    """200 distinct timestamps: the reader keeps them as Arrow text and Arrow parses them; the one bad cell is
    rejected with its text, and its user (seen on no other row) is not left among the user ids."""
    from retention.importing.events import load_events

    lines = ["timestamp,user_id,customer_id,event"]
    for i in range(200):
        lines.append(f"2026-03-{1 + i // 24:02d}T{i % 24:02d}:15:00Z,u{i % 10},c{i % 4},login")
    lines.append("not a time,u_lonely,c1,login")
    result = load_events(("\n".join(lines) + "\n").encode(), "events.csv")
    table = result.table
    assert result.rows_used == 200 and result.rows_rejected == 1
    assert result.rejects[["row", "value", "reason"]].values.tolist() == [[202, "not a time", "not a date or time"]]
    assert table["timestamp"].iloc[25] == pd.Timestamp("2026-03-02T01:15:00Z")
    assert sorted(table["user_id"].cat.categories) == [f"u{i}" for i in range(10)]
    assert table["customer_id"].value_counts().to_dict() == {"c0": 50, "c1": 50, "c2": 50, "c3": 50}


def test_repeated_cells_are_stripped_once_per_distinct_cell() -> None:
    """' Pro', 'Pro ' and 'Pro' are one category; a blank cell is the empty category; order of first appearance."""
    from retention.importing.arrow_csv import EMPTY_ATTR, read_columns

    text = "plan,n\n Basic,1\nPro ,2\n  ,3\nPro,4\n Pro,5\nBasic,6\n"
    frame = read_columns(text, ",")
    assert frame["plan"].cat.categories.tolist() == ["Basic", "Pro", ""]
    assert frame["plan"].astype(str).tolist() == ["Basic", "Pro", "", "Pro", "Pro", "Basic"]
    assert frame.attrs[EMPTY_ATTR] == [True, False]


def test_event_ids_read_from_arrow_text_equal_the_text_path() -> None:
    """A user column of distinct ids stays Arrow text in the reader; its categorical (sorted, blank missing) is the
    one `astype("category")` gives the same cells as text."""
    from retention.importing.events import _arrow_categorical

    cells = ["u3", "", "u1", "u3", "u2", "u10"]
    got = _arrow_categorical(pd.Series(cells, dtype=ID_DTYPE))
    want = pd.Series(cells, dtype=object).replace("", None).astype("category")
    pd.testing.assert_series_equal(got, want)
    assert got.cat.categories.tolist() == ["u1", "u10", "u2", "u3"]
