"""Property-based fuzzing of the importer's entry point (Hypothesis), bounded for CI.

For any bytes at all (random, or a real export mutated byte by byte, compressed or not) loading
either refuses the file with a `LoadError` that names it, or returns a result whose rows add up:
rows read = rows used + rows rejected.  Never another exception (which the app would show as a
crash and the CLI as "unexpected problem").
"""

from __future__ import annotations

import gzip
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retention.importing import LoadError, load_customers, load_subscriptions

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = [
    (FIXTURES / "app" / "subscriptions.csv").read_bytes(),
    (FIXTURES / "hostile" / "mixed_encoding.csv").read_bytes(),
    b"customer_id;start_date;end_date;amount;interval;currency\nc1;01.02.2024;;1.234,50;year;EUR\nc2;15.03.2024;;99,00;month;EUR\n",
]
SPECIAL = [b'"', b",", b";", b"\n", b"\r", b"\x00", b"\xff", b"\xc3", b"-", b"9" * 40, b"1900-01-01", b"\t", b"=", b"e308"]
BOUNDED = settings(max_examples=120, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def mutated_exports(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "flip"]))
        if action == "insert":
            data[at:at] = draw(st.sampled_from(SPECIAL))
        elif action == "delete":
            del data[at: at + draw(st.integers(1, 40))]
        elif action == "replace" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif at < len(data):
            data[at] ^= 1 << draw(st.integers(0, 7))
    if draw(st.booleans()) and draw(st.integers(0, 4)) == 0:
        packed = gzip.compress(bytes(data))
        cut = draw(st.integers(len(packed) // 2, len(packed)))
        return packed[:cut]  # sometimes cut off, like an interrupted download
    return bytes(data)


def _check(load, data: bytes) -> None:
    try:
        result = load(data, "fuzz.csv")
    except LoadError as exc:
        assert exc.file == "fuzz.csv"
        assert exc.message().startswith("fuzz.csv")
        return
    assert result.rows_read == result.rows_used + result.rows_rejected
    assert result.rows_used == len(result.table)


@BOUNDED
@given(st.binary(max_size=3000))
def test_random_bytes_never_raise_anything_but_a_load_error(data: bytes) -> None:
    _check(load_subscriptions, data)


@BOUNDED
@given(mutated_exports())
def test_mutated_exports_always_add_up(data: bytes) -> None:
    _check(load_subscriptions, data)


@BOUNDED
@given(mutated_exports())
def test_mutated_customer_files_always_add_up(data: bytes) -> None:
    _check(load_customers, data)
