"""Arrow's CSV reader and dictionary-encoded columns read every file exactly as pandas' reader did (issue 15).

For each fixture the same bytes go through the Arrow path (`dictionary=True`, Categorical columns)
and through pandas' C reader with plain text columns; the cells, the row numbers, the canonical
tables and the rejects (file, row, column, value, reason) must be identical.  The corners where
Arrow is stricter than pandas (ragged rows, blank lines, a space before an opening quote, repeated
or blank headers) fall back to pandas and are checked the same way.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from retention.importing import LoadError
from retention.importing.arrow_csv import read_columns
from retention.importing.reader import _read_with_pandas, _tidy, decode, read_table, sniff_delimiter
from retention.importing.tables import customers_from_frame, subscriptions_from_frame

FIXTURES = Path(__file__).parent / "fixtures" / "importing"
TEXT_FILES = sorted(p for p in FIXTURES.iterdir() if p.suffix in (".csv", ".txt", ".tsv") and p.name != "gzip_renamed.csv")

TRICKY = {
    "quoted newline and delimiter": 'customer_id,note,mrr\nc1,"two\nlines, one cell",10\nc2,plain,"1,234.50"\n',
    "blank lines between records": "customer_id,mrr\nc1,10\n\nc2,20\n\n",
    "space before a quote": 'customer_id, plan\nc1, "Pro, yearly"\nc2, "Basic"\n',
    "repeated header": "customer_id,plan,plan\nc1,a,b\n",
    "blank header": "customer_id,,mrr\nc1,x,10\n",
    "trailing delimiter": "customer_id,mrr,\nc1,10,\nc2,20,\n",
    "ragged short row": "customer_id,mrr,plan\nc1,10\nc2,20,Pro\n",
    "padded cells": "customer_id , mrr\n  c1 ,  10 \nc1,10\n c2\t, 7\n",
    "single column with blanks": "customer_id\nc1\n\n  \nc2\n",
    "carriage returns": "customer_id,mrr\r\nc1,10\r\nc2,20\r\n",
    "no final newline": "customer_id,mrr\nc1,10",
    "header only": "customer_id,mrr\n",
}


def pandas_frame(text: str) -> pd.DataFrame:
    """pandas' C reader with the header as written: pandas numbers a repeated name `plan.1`, the product
    (issue 21) keeps the first and names the others `plan (2)`, which `_tidy` does from the written names."""
    sep = sniff_delimiter(text)
    frame = _read_with_pandas(text, sep, "f.csv")
    header = next(csv.reader(io.StringIO(text), delimiter=sep), [])
    if len(header) == len(frame.columns):
        frame.columns = header
    return _tidy(frame)


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(object) if len(frame.columns) else frame


@pytest.mark.parametrize("name", list(TRICKY))
def test_arrow_or_fallback_reads_like_pandas(name: str) -> None:
    text = TRICKY[name]
    try:
        expected = pandas_frame(text)
    except LoadError as exc:
        with pytest.raises(LoadError) as caught:
            read_table(text.encode(), "f.csv", dictionary=True)
        assert caught.value.message() == exc.message()
        return
    for dictionary in (True, False):
        got = read_table(text.encode(), "f.csv", dictionary=dictionary)
        pd.testing.assert_frame_equal(plain(got), expected, check_index_type=False)
        assert all(isinstance(got[c].dtype, pd.CategoricalDtype) or got[c].dtype == object for c in got)


def test_arrow_is_used_for_an_ordinary_file_and_refuses_the_odd_ones() -> None:
    assert read_columns("customer_id,mrr\nc1,10\nc1,10\n", ",") is not None
    for name in ("space before a quote", "repeated header", "blank header", "ragged short row"):
        assert read_columns(TRICKY[name], sniff_delimiter(TRICKY[name])) is None, name


@pytest.mark.parametrize("path", TEXT_FILES, ids=lambda p: p.name)
def test_fixture_cells_equal(path: Path) -> None:
    data = path.read_bytes()
    try:
        text = decode(data, path.name)
        expected = pandas_frame(text)
    except LoadError:
        return  # unreadable files are refused before either reader runs, or by both (tests/test_importing.py)
    got = read_table(data, path.name, dictionary=True)
    pd.testing.assert_frame_equal(plain(got), expected, check_index_type=False)


@pytest.mark.parametrize("path", TEXT_FILES, ids=lambda p: p.name)
def test_fixture_tables_and_rejects_equal(path: Path) -> None:
    data = path.read_bytes()
    try:
        text = decode(data, path.name)
        expected_raw = pandas_frame(text)
    except LoadError:
        return
    expected_raw.attrs["source"] = read_table(data, path.name).attrs["source"]
    raw = read_table(data, path.name, dictionary=True)
    for build in (subscriptions_from_frame, customers_from_frame):
        outcomes = []
        for frame in (expected_raw, raw):
            try:
                kwargs = {"date_order": "dmy"} if "ambiguous" in path.name or "conflicting" in path.name else {}
                result = build(frame, path.name, **kwargs)
                outcomes.append((result.table, result.rejects, result.decimals, result.date_order, result.currency))
            except LoadError as exc:
                outcomes.append(exc.message())
        if isinstance(outcomes[0], str) or isinstance(outcomes[1], str):
            assert outcomes[0] == outcomes[1]
            continue
        (t0, r0, *rest0), (t1, r1, *rest1) = outcomes
        pd.testing.assert_frame_equal(t1, t0)
        pd.testing.assert_frame_equal(r1, r0)
        assert rest1 == rest0


def test_arrow_strips_exactly_what_python_strips() -> None:
    from retention.importing.arrow_csv import WHITESPACE

    assert "".join(chr(c) for c in range(0x110000) if chr(c).isspace()) == WHITESPACE
    text = "customer_id,plan\n\x1fc1\u3000,\xa0Pro\x85\nc2,Pro\n"
    got = read_table(text.encode(), "f.csv", dictionary=True)
    assert plain(got).to_dict("list") == {"customer_id": ["c1", "c2"], "plan": ["Pro", "Pro"]}


def test_events_read_dictionary_encoded_equal_the_plain_text_path() -> None:
    from retention.importing.events import events_from_frame, load_events

    data = (Path(__file__).parent / "fixtures" / "engagement" / "events.csv").read_bytes()
    fast = load_events(data, "events.csv")
    slow = events_from_frame(read_table(data, "events.csv"), "events.csv")
    pd.testing.assert_frame_equal(fast.table, slow.table)  # categories too: sorted, as astype("category") gives
    pd.testing.assert_frame_equal(fast.rejects, slow.rejects)
