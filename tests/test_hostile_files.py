"""The hostile corpus (tests/fixtures/hostile, plus generated big files) through the CLI and the Data page.

Every file gets a message that names it, never a traceback or "unexpected problem"; archives are
refused with bounded memory however they lie about their size.
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from hostile import generate
from streamlit.testing.v1 import AppTest

from retention.cli import main
from retention.importing import LoadError, load_subscriptions
from retention.importing.reader import read_table, unpack

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "hostile"
SMALL_SAMPLE = ROOT / "tests" / "fixtures" / "browser" / "tenant_b"

# file -> (CLI exit code, words the CLI's message must hold)
EXPECTED = {
    "unbalanced_quotes.csv": (2, "a quoted cell that starts on line 3 is never closed"),
    "mixed_encoding.csv": (0, "2 lines were read as UTF-8 and 1 lines as Windows-1252 (cp1252), first on line 3"),
    "duplicate_columns.csv": (0, "2 columns are named 'customer_id' (columns 1, 2)"),
    "dates_1900.csv": (0, "1 of 3 rows rejected"),
    "huge_amounts.csv": (0, "2 of 3 rows rejected"),
    "no_customer_column.csv": (2, "customer_id"),
    "empty.csv": (2, "the file is empty"),
    "damaged.csv.gz": (2, "the gzip file is damaged or incomplete"),
    "garbage.csv.gz": (2, "the gzip file is damaged or incomplete"),
    "not_a_zip.zip": (2, "this is not a CSV or Excel file"),
    "old_workbook.xls": (2, "old Excel .xls workbook"),
    "image.csv": (2, "this is not a CSV or Excel file"),
}


def test_the_corpus_is_complete() -> None:
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_cli_names_the_file_and_says_what_is_wrong(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, words = EXPECTED[name]
    assert main(["metrics", "--subscriptions", str(CORPUS / name), "--format", "json"]) == code
    err = capsys.readouterr().err
    assert words in err
    assert f"{name}" in err
    assert "Traceback" not in err and "unexpected problem" not in err


def test_mixed_encodings_keep_both_kinds_of_accents() -> None:
    frame = read_table((CORPUS / "mixed_encoding.csv").read_bytes(), "mixed_encoding.csv")
    assert frame["name"].tolist() == ["Céline", "Héloïse", "Zoë"]


def test_every_line_read_as_cp1252_is_listed() -> None:
    """Line 3 (Héloïse, cp1252) of the corpus file; and a file with 60 such lines lists the first 50 and counts the rest."""
    frame = read_table((CORPUS / "mixed_encoding.csv").read_bytes(), "mixed_encoding.csv")
    notes = [params for template, params in frame.attrs["notes"] if template.startswith("lines read as Windows-1252")]
    assert notes == [{"lines": "3"}]
    lines = [b"customer_id,name,start_date,mrr", "c0,Céline,2024-01-01,10".encode()]
    lines += [b"c%d,H\xe9l\xe8ne,2024-01-01,10" % i if i % 2 else f"c{i},Zoë,2024-01-01,10".encode() for i in range(1, 121)]
    data = b"\n".join(lines)
    frame = read_table(data, "many.csv")
    # Odd customers (c1, c3, … c119) are cp1252: 60 lines, on file lines 3, 5, 7, … 121.
    listed = [params for template, params in frame.attrs["notes"] if template.startswith("lines read as Windows-1252")]
    assert listed == [{"lines": ", ".join(str(n) for n in range(3, 102, 2)), "more": 10}]
    assert frame["name"].iloc[0:3].tolist() == ["Céline", "Hélène", "Zoë"]


def test_duplicate_columns_can_be_chosen() -> None:
    data = (CORPUS / "duplicate_columns.csv").read_bytes()
    first = load_subscriptions(data, "duplicate_columns.csv")
    second = load_subscriptions(data, "duplicate_columns.csv", {"customer_id": "customer_id (2)"})
    assert first.table["customer_id"].tolist() == ["A1", "A2"]
    assert second.table["customer_id"].tolist() == ["B1", "B2"]


def _peak(call) -> tuple[int, Exception | None]:
    tracemalloc.start()
    error = None
    try:
        call()
    except LoadError as exc:
        error = exc
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, error


@pytest.mark.parametrize("kind", ["gzip", "zip"])
def test_archives_are_refused_within_twice_the_cap_whatever_their_headers_say(kind: str) -> None:
    cap = 16 * 1024 * 1024
    data = generate.gzip_bomb(200 * 1024 * 1024) if kind == "gzip" else generate.lying_zip(200 * 1024 * 1024)
    assert len(data) < 2 * 1024 * 1024  # a small upload...
    peak, error = _peak(lambda: unpack(data, f"bomb.{kind}", cap=cap))
    # Refused: the gzip by what it unpacks to; the zip that understates its size fails its checksum once the
    # stream passes the size it claims (Python's zip reader stops there), so it is refused as damaged.
    expected = "unpacks to more than 16 MB" if kind == "gzip" else "cannot unpack the zip archive"
    assert error is not None and expected in error.message()
    assert peak <= 2 * cap, f"peak {peak / 2**20:.1f} MB for a {cap / 2**20:.0f} MB cap"


def test_a_zip_whose_header_states_a_size_above_the_cap_is_refused_before_unpacking() -> None:
    data = generate.lying_zip(1024 * 1024, claimed_bytes=300 * 1024 * 1024)
    peak, error = _peak(lambda: unpack(data, "big.zip", cap=16 * 1024 * 1024))
    assert error is not None and "unpacks to more than 16 MB" in error.message()
    assert peak < 4 * 1024 * 1024


def test_an_archive_within_the_cap_unpacks_whole() -> None:
    data = generate.gzip_bomb(3 * 1024 * 1024)
    assert len(unpack(data, "ok.gz", cap=16 * 1024 * 1024)) >= 3 * 1024 * 1024


def _messages(at: AppTest) -> list[str]:
    return [e.value.replace("\\", "") for e in (*at.error, *at.warning)]


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if not n.endswith(".xls")))  # the uploader itself refuses .xls
def test_data_page_answers_every_file_once_and_names_it(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT))
    import ui.state

    monkeypatch.setattr(ui.state, "SAMPLE_DIR", SMALL_SAMPLE)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/data.py").run()
    at.file_uploader[0].set_value((name, (CORPUS / name).read_bytes(), "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    code, words = EXPECTED[name]
    messages = _messages(at)
    if code:  # refused: one error naming the file, and no Load button to press
        assert len(at.error) == 1, messages
        assert name in messages[0] and (words in messages[0] or name == "no_customer_column.csv"), messages
        assert at.button(key="load_files").disabled
    else:
        assert not at.button(key="load_files").disabled
        at.button(key="load_files").click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.session_state["dataset"].subscriptions.file == name
