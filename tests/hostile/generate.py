"""Generators for the hostile files too big to keep in the repository.

Each returns bytes built in memory in well under a second; the tests decide the sizes, so CI
exercises the same code paths as the probes' 200 MB files without storing them.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

ROW = b"c1,2024-01-01,10\n"
HEADER = b"customer_id,start_date,mrr\n"


def gzip_bomb(unpacked_bytes: int) -> bytes:
    """A valid .gz whose CSV body unpacks to `unpacked_bytes` (repeated rows compress about 1000:1)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = HEADER + ROW * ((1024 * 1024) // len(ROW))
    out = [compressor.compress(HEADER)]
    written = len(HEADER)
    while written < unpacked_bytes:
        out.append(compressor.compress(block[len(HEADER):]))
        written += len(block) - len(HEADER)
    out.append(compressor.flush())
    return b"".join(out)


def lying_zip(unpacked_bytes: int, claimed_bytes: int = 1000) -> bytes:
    """A single-CSV .zip whose headers say it unpacks to `claimed_bytes` while it holds `unpacked_bytes`."""
    buffer = io.BytesIO()
    body = HEADER + ROW * (unpacked_bytes // len(ROW))
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("export.csv", body)
    data = bytearray(buffer.getvalue())
    local = data.index(b"PK\x03\x04")
    struct.pack_into("<I", data, local + 22, claimed_bytes)  # uncompressed size, local header
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, claimed_bytes)  # uncompressed size, central directory
    return bytes(data)


def big_csv(rows: int) -> bytes:
    """A plain subscriptions CSV of `rows` distinct customers (for memory measurements)."""
    lines = [b"customer_id,start_date,end_date,mrr,plan"]
    lines += [b"c%07d,2023-%02d-01,,%d,plan-%d" % (i, 1 + i % 12, 10 + i % 90, i % 4) for i in range(rows)]
    return b"\n".join(lines) + b"\n"


def big_workbook(rows: int) -> bytes:
    """An .xlsx of `rows` subscriptions, written with XlsxWriter's constant-memory mode."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    sheet = book.add_worksheet("subscriptions")
    for col, name in enumerate(("customer_id", "start_date", "end_date", "mrr")):
        sheet.write_string(0, col, name)
    for i in range(rows):
        sheet.write_string(i + 1, 0, f"c{i:07d}")
        sheet.write_string(i + 1, 1, f"2023-{1 + i % 12:02d}-01")
        sheet.write_number(i + 1, 3, 10 + i % 90)
    book.close()
    return buffer.getvalue()
